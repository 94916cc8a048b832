// Enhances the post editor when JavaScript runs: live preview, Ctrl/⌘+S, an unsaved-changes warning, the slug hint.
// The editor works fully without this file; everything here is found by id and data attributes.

// One global name only: other admin scripts share the page's global scope.
function enhancePostEditor() {
  const PREVIEW_DELAY_MS = 400

  /** Roughly what the server's slugify makes of a title; only a hint shown as the slug's placeholder. */
  function slugHint(title) {
    return title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '')
  }

  /** The form's text fields as a urlencoded body (the _csrf field included), as the browser would post them. */
  function formBody(form) {
    const body = new URLSearchParams()
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string') body.append(name, value)
    }
    return body
  }

  const form = document.getElementById('post-form')
  if (!form) return

  const pane = document.getElementById('post-preview')
  const content = document.getElementById('post-preview-content')
  const previewStatus = document.getElementById('post-preview-status')
  const split = document.getElementById('editor-split')
  const previewButton = document.getElementById('preview-button')
  const shortcut = document.getElementById('save-shortcut')
  const previewUrl = form.dataset.previewUrl

  // After a refused save, start at the list of problems, which links to each field.
  document.getElementById('error-summary')?.focus()

  // Live preview, side by side with the text, in a frame that shows a page of the public site.
  function previewProblem(message) {
    if (!previewStatus) return
    previewStatus.textContent = message
    previewStatus.hidden = !message
  }
  // Once the frame shows a preview page, only its body is swapped: the stylesheet stays loaded, and
  // nothing flashes or jumps while the author types.
  function showPreview(html) {
    previewProblem('')
    const shown = content.contentDocument
    if (!shown?.querySelector('link[rel="stylesheet"]')) {
      content.srcdoc = html
      return
    }
    const next = new DOMParser().parseFromString(html, 'text/html')
    shown.body.replaceWith(shown.adoptNode(next.body))
    shown.title = next.title
    fitPreview()
  }
  // A heading's # link jumps to the heading in the preview, not to the editor's own address in a new tab.
  function jumpInPreview(event) {
    const link = event.target.closest?.('a[href^="#"]')
    if (!link) return
    event.preventDefault()
    link.ownerDocument.getElementById(decodeURIComponent(link.hash.slice(1)))?.scrollIntoView()
  }
  // The frame is as tall as the article it shows, so the editor's page scrolls it, not the frame.
  // (Measured on the article: the public body is at least a window tall, which would only grow.)
  let fitting
  function fitPreview() {
    const shown = content.contentDocument
    const article = shown?.querySelector('article')
    const main = shown?.querySelector('main')
    if (!article || !main || !shown.defaultView) return
    const view = shown.defaultView
    const fit = () => {
      const bottom = article.getBoundingClientRect().bottom + view.scrollY
      content.style.height = `${Math.ceil(bottom + Number.parseFloat(view.getComputedStyle(main).paddingBottom))}px`
    }
    shown.addEventListener('click', jumpInPreview)
    fitting?.disconnect()
    fitting = new ResizeObserver(fit)
    fitting.observe(article)
    fit()
    // Tab goes through the preview's links and code blocks; a preview with none would be a stop that shows nothing.
    content.tabIndex = shown.querySelector('a[href], [tabindex="0"]') ? 0 : -1
  }
  let timer
  let controller
  async function refreshPreview() {
    if (!pane || !content || !previewUrl) return
    controller?.abort()
    controller = new AbortController()
    try {
      const response = await fetch(previewUrl, {
        method: 'POST',
        body: formBody(form),
        credentials: 'same-origin',
        headers: { accept: 'text/html' },
        signal: controller.signal,
      })
      // 422: the server explains in the preview page why this text cannot be shown (too deep, too slow).
      if (!response.ok && response.status !== 422) {
        previewProblem(
          `The preview could not be updated (error ${response.status}). Your text is still here; reload the page if this goes on.`,
        )
        return
      }
      // Folio rendered and sanitised this HTML with the same pipeline as the public site.
      showPreview(await response.text())
    } catch (error) {
      if (error.name !== 'AbortError')
        previewProblem('The preview could not be updated: the server did not answer.')
    }
  }
  function schedulePreview() {
    clearTimeout(timer)
    timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS)
  }
  if (pane && content && previewUrl) {
    pane.hidden = false
    content.tabIndex = -1
    content.addEventListener('load', fitPreview)
    split?.classList.add('editor-split--live')
    form.addEventListener('input', schedulePreview)
    form.addEventListener('change', schedulePreview)
    refreshPreview()
    // With the preview live, the button refreshes it instead of reloading the page.
    previewButton?.addEventListener('click', (event) => {
      event.preventDefault()
      clearTimeout(timer)
      refreshPreview()
      pane.scrollIntoView({ block: 'nearest' })
    })
  }

  // Link fields only matter for link posts.
  const linkFields = document.getElementById('link-fields')
  function showKindFields() {
    const kind = form.querySelector('input[name="kind"]:checked')
    if (linkFields) linkFields.hidden = kind?.value !== 'link'
  }
  for (const radio of form.querySelectorAll('input[name="kind"]'))
    radio.addEventListener('change', showKindFields)
  showKindFields()

  // The slug's placeholder shows the address the title would give.
  const title = document.getElementById('title')
  const slug = document.getElementById('slug')
  function showSlugHint() {
    if (!title || !slug) return
    slug.placeholder = slugHint(title.value) || slug.dataset.defaultPlaceholder || ''
  }
  title?.addEventListener('input', showSlugHint)
  showSlugHint()

  // Warn before leaving with changes that are not saved.
  const initial = formBody(form).toString()
  let submitting = false
  const isDirty = () => form.dataset.unsaved === 'true' || formBody(form).toString() !== initial
  form.addEventListener('submit', () => {
    submitting = true
  })
  window.addEventListener('beforeunload', (event) => {
    if (submitting || !isDirty()) return
    event.preventDefault()
    event.returnValue = ''
  })

  // Ctrl+S (⌘S on a Mac) saves instead of saving the web page.
  if (shortcut) shortcut.hidden = false
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') return
    event.preventDefault()
    const save = form.querySelector('button[name="intent"][value="save"]')
    if (typeof form.requestSubmit === 'function') form.requestSubmit(save ?? undefined)
    else {
      submitting = true
      form.submit()
    }
  })
}

enhancePostEditor()
