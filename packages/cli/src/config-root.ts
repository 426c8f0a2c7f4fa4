// down, status and env only read the state file: they need the repository root, not the loaded config
// (so they work even when the config does not load).
import { dirname } from 'node:path'
import { findConfig } from './load-config.js'

export const configRoot = (cwd: string, explicit?: string) => dirname(findConfig(cwd, explicit))
