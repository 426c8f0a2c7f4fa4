import { containerImage, diagnoseContainer, type Provider } from '@testbed/core/config'
import type { VaultFound } from '../connection.js'
import { DEV_TOKEN_SOURCE as tokenSource } from './dev-token.js'

export interface ContainerOptions {
  /** Default: `TESTBED_VAULT_IMAGE`, else `hashicorp/vault:1.18` (pinned: dev mode's flags are stable there). */
  image?: string
}

/** Vault in dev mode through `@testcontainers/vault`, imported only after a Docker engine answered. */
export function containerProvider(options: ContainerOptions = {}): Provider<VaultFound> {
  const imageOf = () => containerImage('vault', options.image, 'hashicorp/vault:1.18')
  return {
    kind: 'container',
    diagnose: () => diagnoseContainer(imageOf()),
    async start(ctx) {
      const image = imageOf()
      const token = ctx.secret()
      const container = await ctx.startContainer(image, async (labels, ports) => {
        const { VaultContainer } = await import('@testcontainers/vault')
        return new VaultContainer(image)
          .withVaultToken(token)
          .withExposedPorts(await ports.publish(8200))
          .withLabels(labels)
          .start()
      })
      return { connection: { address: container.getAddress(), token, tokenSource }, detail: image }
    },
  }
}
