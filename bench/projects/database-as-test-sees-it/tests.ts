/** How many back-to-back one-query tests each file of this project has. */
export const count = Number(process.env.BENCH_TESTS ?? 300)
