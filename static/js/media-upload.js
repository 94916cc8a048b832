// Owns image uploads from Markdown textareas marked data-media-upload: paste, drop, an "Insert image…" button, and the dialog that asks for alt text and a caption.
;(() => {
  const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif'
  let uploads = 0

  const imageFiles = (list) => Array.from(list || []).filter((file) => file.type.startsWith('image/'))

  /** Pasted images arrive as files in some browsers and only as items of kind "file" in others. */
  function pastedImages(clipboard) {
    if (!clipboard) return []
    const files = imageFiles(clipboard.files)
    if (files.length > 0) return files
    return Array.from(clipboard.items || [])
      .filter((item) => item.kind === 'file' && item.type.startsWith('image/'))
      .map((item) => item.getAsFile())
      .filter(Boolean)
  }

  function csrfToken(textarea) {
    const scope = textarea.closest('form') || document
    const input = scope.querySelector('input[name="_csrf"]') || document.querySelector('input[name="_csrf"]')
    return input ? input.value : ''
  }

  /** Markdown ends alt text at "]", so those (and backslashes) are escaped. */
  const escapeAlt = (alt) => alt.replace(/[\\[\]]/g, '\\$&')

  /**
   * A caption sits between * and * under the image: a * outside `code` would end it early, and a
   * trailing backslash would swallow the closing *.
   */
  const escapeCaption = (caption) =>
    caption
      .replace(/\s+/g, ' ')
      .split('`')
      .map((part, index) => (index % 2 === 0 ? part.replace(/\*/g, '\\*') : part))
      .join('`')
      .replace(/\\$/, '\\\\')

  /**
   * Asks for the alt text and a caption in the page's <dialog> (views/admin/posts/edit.eta).
   * Resolves to { alt, caption } (alt empty for a decorative image), or null when cancelled.
   */
  function askAboutImage(image) {
    const dialog = document.getElementById('image-dialog')
    const form = document.getElementById('image-dialog-form')
    const alt = document.getElementById('image-alt')
    const decorative = document.getElementById('image-decorative')
    const caption = document.getElementById('image-caption')
    const error = document.getElementById('image-alt-error')
    if (!dialog || typeof dialog.showModal !== 'function' || !form || !alt || !decorative || !caption) {
      return Promise.resolve({ alt: image.alt, caption: '' })
    }
    const showError = (shown) => {
      if (error) error.hidden = !shown
      if (shown) alt.setAttribute('aria-invalid', 'true')
      else alt.removeAttribute('aria-invalid')
    }
    if (!dialog.dataset.ready) {
      dialog.dataset.ready = 'true'
      decorative.addEventListener('change', () => {
        alt.disabled = decorative.checked
        alt.required = !decorative.checked
        showError(false)
      })
      alt.addEventListener('input', () => {
        if (alt.value.trim()) showError(false)
      })
      form.addEventListener('submit', (event) => {
        if (event.submitter?.value === 'cancel' || decorative.checked || alt.value.trim()) return
        event.preventDefault()
        showError(true)
        alt.focus()
      })
    }

    let preview = dialog.querySelector('.image-dialog__preview')
    if (!preview) {
      preview = document.createElement('img')
      preview.className = 'image-dialog__preview'
      preview.alt = ''
      form.querySelector('h2')?.after(preview)
    }
    preview.src = image.url
    if (image.width && image.height) {
      preview.width = image.width
      preview.height = image.height
    }

    alt.value = image.alt
    alt.disabled = false
    alt.required = true
    decorative.checked = false
    caption.value = ''
    showError(false)
    dialog.returnValue = ''
    dialog.showModal()
    alt.focus()
    alt.select()
    return new Promise((resolve) => {
      dialog.addEventListener(
        'close',
        () => {
          if (dialog.returnValue !== 'insert') resolve(null)
          else resolve({ alt: decorative.checked ? '' : alt.value.trim(), caption: caption.value.trim() })
        },
        { once: true },
      )
    })
  }

  function defaultAlt(file) {
    const stem = (file.name || '').replace(/\.[^.]*$/, '').replace(/[-_]+/g, ' ')
    // Screenshots pasted from the clipboard are all called "image": not a description.
    return /^image$/i.test(stem.trim()) ? '' : stem.trim()
  }

  function enhance(textarea) {
    const status = document.createElement('p')
    status.className = 'media-upload__status'
    status.setAttribute('aria-live', 'polite')

    const picker = document.createElement('input')
    picker.type = 'file'
    picker.accept = ACCEPT
    picker.multiple = true
    picker.hidden = true

    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'button-secondary media-upload__button'
    button.textContent = 'Insert image…'

    const bar = document.createElement('div')
    bar.className = 'media-upload'
    bar.append(button, picker, status)
    textarea.after(bar)

    const say = (message, isError) => {
      status.textContent = message
      status.classList.toggle('media-upload__status--error', Boolean(isError))
    }

    const changed = () => textarea.dispatchEvent(new Event('input', { bubbles: true }))

    /**
     * Puts `text` in place of start…end. A figure (an image with a caption under it) must be a
     * paragraph of its own, so it gets blank lines around it unless they are already there.
     */
    function place(start, end, text, ownParagraph) {
      let before = ''
      let after = ''
      if (ownParagraph && text) {
        const head = textarea.value.slice(0, start)
        const tail = textarea.value.slice(end)
        before = head === '' || head.endsWith('\n\n') ? '' : head.endsWith('\n') ? '\n' : '\n\n'
        after = tail === '' || tail.startsWith('\n\n') ? '' : tail.startsWith('\n') ? '\n' : '\n\n'
      }
      const full = before + text + after
      textarea.setRangeText(full, start, end, 'preserve')
      return start + full.length
    }

    /** Puts text where the cursor is, keeping the cursor after it. */
    function insertAtCursor(text, ownParagraph) {
      const start = textarea.selectionStart ?? textarea.value.length
      const end = textarea.selectionEnd ?? start
      const cursor = place(start, end, text, ownParagraph)
      textarea.setSelectionRange(cursor, cursor)
      changed()
    }

    /** Swaps the placeholder for the result; if the author deleted the placeholder, inserts at the cursor. */
    function replacePlaceholder(placeholder, text, ownParagraph) {
      const at = textarea.value.indexOf(placeholder)
      if (at === -1) {
        if (text) insertAtCursor(text, ownParagraph)
        return
      }
      const cursor = place(at, at + placeholder.length, text, ownParagraph)
      if (text) textarea.setSelectionRange(cursor, cursor)
      changed()
    }

    /** Sends the first description the author gives to the library too, so `![](…)` and the library's copy button use it. */
    function saveLibraryAlt(id, alt) {
      const body = new FormData()
      body.append('_csrf', csrfToken(textarea))
      body.append('alt', alt)
      fetch(`/admin/media/${encodeURIComponent(id)}`, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      }).catch(() => {})
    }

    async function upload(file) {
      const name = file.name || 'the image'
      uploads += 1
      const placeholder = `![Uploading ${file.name || 'image'} (${uploads})…]()`
      insertAtCursor(placeholder)
      say(`Uploading ${name}…`)

      const form = new FormData()
      form.append('_csrf', csrfToken(textarea))
      form.append('file', file, file.name || 'pasted-image.png')
      let data
      try {
        const response = await fetch('/admin/media', {
          method: 'POST',
          body: form,
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        })
        data = await response.json().catch(() => ({}))
        if (!response.ok || !data.url) {
          throw new Error(data.message || data.error || `The upload failed (${response.status}).`)
        }
      } catch (error) {
        replacePlaceholder(placeholder, '')
        const reason = error instanceof TypeError ? 'The connection failed. Try again.' : error.message
        say(`Could not upload ${name}: ${reason}`, true)
        return
      }

      const libraryAlt = typeof data.alt === 'string' ? data.alt : ''
      const answer = await askAboutImage({
        url: data.url,
        width: data.width,
        height: data.height,
        alt: libraryAlt || defaultAlt(file),
      })
      if (!answer) {
        replacePlaceholder(placeholder, '')
        say(`${name} is in the media library; nothing was inserted.`)
        textarea.focus()
        return
      }
      const image = `![${escapeAlt(answer.alt)}](${data.url})`
      const markdown = answer.caption ? `${image}\n*${escapeCaption(answer.caption)}*` : image
      replacePlaceholder(placeholder, markdown, Boolean(answer.caption))
      textarea.focus()
      if (answer.alt && !libraryAlt && data.id !== undefined) saveLibraryAlt(data.id, answer.alt)
      say(answer.alt ? `Inserted ${name}.` : `Inserted ${name} as a decorative image, without alt text.`)
    }

    async function uploadAll(files) {
      for (const file of files) await upload(file)
    }

    textarea.addEventListener('paste', (event) => {
      const files = pastedImages(event.clipboardData)
      if (files.length === 0) return
      event.preventDefault()
      uploadAll(files)
    })

    const carriesFiles = (event) => Array.from(event.dataTransfer?.types || []).includes('Files')
    textarea.addEventListener('dragover', (event) => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'copy'
      textarea.classList.add('media-upload--over')
    })
    textarea.addEventListener('dragleave', () => textarea.classList.remove('media-upload--over'))
    textarea.addEventListener('drop', (event) => {
      textarea.classList.remove('media-upload--over')
      if (!carriesFiles(event)) return
      const files = imageFiles(event.dataTransfer.files)
      event.preventDefault()
      if (files.length === 0) {
        say('Only image files can be dropped here.', true)
        return
      }
      textarea.focus()
      uploadAll(files)
    })

    button.addEventListener('click', () => picker.click())
    picker.addEventListener('change', () => {
      const files = Array.from(picker.files || [])
      picker.value = ''
      textarea.focus()
      uploadAll(files)
    })
  }

  function start() {
    for (const textarea of document.querySelectorAll('textarea[data-media-upload]')) enhance(textarea)
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
  else start()
})()
