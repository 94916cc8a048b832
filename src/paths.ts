// Owns where Folio's own files are: the project root and its views, static, migrations and package.json.
import { join } from 'node:path'

/**
 * This file runs from src/ under tsx and from dist/ in the production bundle (flat: every entry
 * and chunk directly in dist/), so the project root is one level up either way.
 */
export const ROOT_DIR = join(import.meta.dirname, '..')
export const VIEWS_DIR = join(ROOT_DIR, 'views')
export const STATIC_DIR = join(ROOT_DIR, 'static')
export const MIGRATIONS_DIR = join(ROOT_DIR, 'migrations')
export const PACKAGE_JSON = join(ROOT_DIR, 'package.json')
