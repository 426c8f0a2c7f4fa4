// GitHub's workflow parser, loaded so that plain Node can load it: its JavaScript imports its schema
// (`workflow-v1.0.min.json`) without the `with { type: 'json' }` that Node requires
// (actions/languageservices#387), so those imports are given the attribute by a resolve hook.
import { registerHooks } from 'node:module'

type WorkflowParser = typeof import('@actions/workflow-parser')
let loading: Promise<WorkflowParser> | undefined

export function workflowParser(): Promise<WorkflowParser> {
  if (!loading) {
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const resolved = nextResolve(specifier, context)
        if (/[/\\]@actions[/\\]workflow-parser[/\\].*\.json$/.test(resolved.url))
          return { ...resolved, importAttributes: { ...context.importAttributes, type: 'json' } }
        return resolved
      },
    })
    loading = import('@actions/workflow-parser')
  }
  return loading
}
