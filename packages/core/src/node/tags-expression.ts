/**
 * A Vitest tags expression (`not (enterprise or requires_vault)`, `slow && !flaky`, `requires_*`) as a
 * predicate over a test's tags, for the main process. Vitest evaluates these only in its workers and
 * does not export its parser; this follows its grammar: `and`/`&&` binds tighter than `or`/`||`,
 * `not`/`!` tighter still, parentheses group, and `*` in a tag is a wildcard.
 */
export type TagsPredicate = (tags: readonly string[]) => boolean

type Token = { type: 'tag'; value: string } | { type: 'and' | 'or' | 'not' | '(' | ')' | 'end' }

function tokenize(expression: string): Token[] {
  const tokens: Token[] = []
  const operator = /^(?:(\(|\)|!|&&|\|\|)|(and|or)(?=\s|\)|$)|(not)\s)/i
  for (let rest = expression.trimStart(); rest; rest = rest.trimStart()) {
    const match = operator.exec(rest)
    if (match) {
      const [text, symbol, word, not] = match
      const type = not
        ? 'not'
        : (word?.toLowerCase() ?? { '!': 'not', '&&': 'and', '||': 'or' }[symbol as string] ?? symbol)
      tokens.push({ type: type as 'and' })
      rest = rest.slice(not ? 3 : text.length)
      continue
    }
    const tag = /^[^\s()!&|]+/.exec(rest)?.[0] as string
    tokens.push({ type: 'tag', value: tag })
    rest = rest.slice(tag.length)
  }
  tokens.push({ type: 'end' })
  return tokens
}

export function tagsPredicate(expression: string): TagsPredicate {
  const tokens = tokenize(expression)
  let at = 0
  const peek = () => tokens[at] as Token
  const fail = (): never => {
    throw new Error(`Invalid tags expression: unexpected "${peek().type}" in "${expression}"`)
  }
  const or = (): TagsPredicate => {
    let left = and()
    while (peek().type === 'or') {
      at++
      const [l, r] = [left, and()]
      left = (tags) => l(tags) || r(tags)
    }
    return left
  }
  const and = (): TagsPredicate => {
    let left = unary()
    while (peek().type === 'and') {
      at++
      const [l, r] = [left, unary()]
      left = (tags) => l(tags) && r(tags)
    }
    return left
  }
  const unary = (): TagsPredicate => {
    if (peek().type === 'not') {
      at++
      const operand = unary()
      return (tags) => !operand(tags)
    }
    return primary()
  }
  const primary = (): TagsPredicate => {
    const token = peek()
    if (token.type === '(') {
      at++
      const inner = or()
      if (peek().type !== ')') fail()
      at++
      return inner
    }
    if (token.type !== 'tag') return fail()
    at++
    const { value } = token
    if (!value.includes('*')) return (tags) => tags.includes(value)
    const pattern = new RegExp(`^${value.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`)
    return (tags) => tags.some((t) => pattern.test(t))
  }
  const predicate = or()
  if (peek().type !== 'end') fail()
  return predicate
}

/** Every expression must hold, as Vitest ANDs the entries of `tagsFilter`. */
export function allOf(expressions: readonly string[]): TagsPredicate {
  const predicates = expressions.map(tagsPredicate)
  return (tags) => predicates.every((p) => p(tags))
}
