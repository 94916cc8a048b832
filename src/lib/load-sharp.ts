// Owns loading sharp (libvips, a native module) on first use: only uploads and social cards need it, never a stored page.
import type Sharp from 'sharp'

let loading: Promise<typeof Sharp> | undefined

/** sharp's factory, loaded once by the first image to decode or card to draw. */
export function loadSharp(): Promise<typeof Sharp> {
  loading ??= import('sharp').then((module) => module.default)
  return loading
}
