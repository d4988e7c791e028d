/**
 * The manifests `revalidate warm` reads: those given with --manifest (a file, or a build folder
 * holding `.revalidate/manifest.json`), or else every one found in the usual build folders of
 * the current directory and their subfolders:
 *
 *   dist/.revalidate/manifest.json, dist/server/.revalidate/manifest.json, dist/client/...   (Vite)
 *   build/server/.revalidate/manifest.json                                                 (React Router)
 *   .next/.revalidate/manifest.json                                                         (Next.js)
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { MANIFEST_FILE, ManifestError, readManifest, type Manifest } from '../manifest.js'
import { WarmError } from './errors.js'

export const BUILD_FOLDERS = ['dist', 'build', '.next']

export interface LoadedManifest {
  /** As given, or relative to the current directory. */
  path: string
  manifest: Manifest
}

export function loadManifests(given: readonly string[], cwd: string): LoadedManifest[] {
  const paths = given.length > 0 ? given.map((path) => manifestAt(path, cwd)) : foundUnder(cwd)
  if (paths.length === 0) {
    throw new WarmError(
      `no manifest of cached routes found under ${BUILD_FOLDERS.map((folder) => `${folder}/`).join(', ')} (looked for ${MANIFEST_FILE} there and one folder down): build the app first (with @revalidate/plugin), or pass --manifest <path>.`,
    )
  }
  return paths.map((path) => {
    try {
      return { path, manifest: readManifest(resolve(cwd, path)) }
    } catch (error) {
      if (error instanceof ManifestError) throw new WarmError(error.message)
      throw error
    }
  })
}

/** A --manifest argument: the file, or the manifest inside the build folder given. */
function manifestAt(path: string, cwd: string): string {
  const absolute = resolve(cwd, path)
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    const inside = join(path, MANIFEST_FILE)
    if (!existsSync(resolve(cwd, inside))) throw new WarmError(`--manifest ${path} is a folder without ${MANIFEST_FILE}; give the build output folder (e.g. dist/server) or the file itself.`)
    return inside
  }
  if (!existsSync(absolute)) throw new WarmError(`--manifest ${path}: no such file.`)
  return path
}

function foundUnder(cwd: string): string[] {
  const found: string[] = []
  for (const folder of BUILD_FOLDERS) {
    const dir = join(cwd, folder)
    for (const candidate of [dir, ...subfolders(dir)]) {
      const path = join(candidate, MANIFEST_FILE)
      if (existsSync(path)) found.push(relative(cwd, path))
    }
  }
  return found
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== '.revalidate' && entry.name !== 'cache')
      .map((entry) => join(dir, entry.name))
      .sort()
  } catch {
    return []
  }
}
