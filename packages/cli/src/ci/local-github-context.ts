// The `github` context of a local run: a push of the checked-out branch (what `git` says about the
// checkout), so that `if: github.ref == 'refs/heads/main'` or `github.event_name == 'push'` are
// decided as they would be for a push of this commit, not read as empty.
import { execFileSync } from 'node:child_process'

const git = (root: string, args: string[]) => {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return ''
  }
}

export function localGithubContext(root: string, workflow: string): Record<string, string> {
  const branch = git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])
  const onBranch = branch !== '' && branch !== 'HEAD'
  return {
    event_name: 'push',
    ref: onBranch ? `refs/heads/${branch}` : '',
    ref_name: onBranch ? branch : '',
    ref_type: 'branch',
    sha: git(root, ['rev-parse', 'HEAD']),
    workflow,
    workspace: root,
    actor: process.env.USER ?? '',
  }
}
