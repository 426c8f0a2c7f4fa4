import { execFileSync } from 'node:child_process'

/** Where the Docker CLI found its `compose` plugin: a Compose v2 binary that also runs standalone. */
export function composePluginPath(): string {
  return execFileSync('docker', [
    'info',
    '--format',
    '{{range .ClientInfo.Plugins}}{{if eq .Name "compose"}}{{.Path}}{{end}}{{end}}',
  ])
    .toString()
    .trim()
}
