// Owns loading the Markdown pipeline on the calling thread, on first use: a server serving stored pages never needs it.
type Pipeline = typeof import('./markdown.ts')

let loading: Promise<Pipeline> | undefined
let loaded: Pipeline | undefined

/**
 * Loads lib/markdown.ts (marked, highlight.js, sanitize-html: the heaviest part of start-up) once.
 * The operator's commands and tests await it before rendering on this thread; the server renders
 * on worker threads (markdown-pool.ts) and loads it here only for the rare save that renders in place.
 */
export function loadMarkdownPipeline(): Promise<Pipeline> {
  loading ??= import('./markdown.ts').then((pipeline) => {
    loaded = pipeline
    return pipeline
  })
  return loading
}

/** The pipeline, for code that renders synchronously; loadMarkdownPipeline must have finished first. */
export function markdownHere(): Pipeline {
  if (!loaded) throw new Error('The Markdown pipeline is not loaded yet: await loadMarkdownPipeline() first.')
  return loaded
}
