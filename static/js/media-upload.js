// Owns image uploads from Markdown textareas marked data-media-upload: paste, drop, and an "Insert image…" button.
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

    /** Puts text where the cursor is, keeping the cursor after it. */
    function insertAtCursor(text) {
      const start = textarea.selectionStart ?? textarea.value.length
      const end = textarea.selectionEnd ?? start
      textarea.setRangeText(text, start, end, 'end')
      changed()
    }

    /** Swaps the placeholder for the result; if the author deleted the placeholder, inserts at the cursor. */
    function replacePlaceholder(placeholder, text) {
      const at = textarea.value.indexOf(placeholder)
      if (at === -1) {
        if (text) insertAtCursor(text)
        return
      }
      const keepCursor = textarea === document.activeElement ? textarea.selectionStart : null
      textarea.setRangeText(text, at, at + placeholder.length, 'preserve')
      if (keepCursor !== null && keepCursor > at) {
        const moved = Math.max(at, keepCursor + text.length - placeholder.length)
        textarea.setSelectionRange(moved, moved)
      }
      changed()
    }

    async function upload(file) {
      const answer = window.prompt(
        `Describe “${file.name || 'this image'}” for people who cannot see it (alt text):`,
        defaultAlt(file),
      )
      if (answer === null) {
        say(`Upload of ${file.name || 'the image'} cancelled.`)
        return
      }
      uploads += 1
      const placeholder = `![Uploading ${file.name || 'image'} (${uploads})…]()`
      insertAtCursor(placeholder)
      say(`Uploading ${file.name || 'image'}…`)

      const form = new FormData()
      form.append('_csrf', csrfToken(textarea))
      form.append('alt', answer.trim())
      form.append('file', file, file.name || 'pasted-image.png')
      try {
        const response = await fetch('/admin/media', {
          method: 'POST',
          body: form,
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        })
        const data = await response.json().catch(() => ({}))
        if (!response.ok || !data.url) {
          throw new Error(data.message || data.error || `The upload failed (${response.status}).`)
        }
        const alt = typeof data.alt === 'string' ? data.alt : answer.trim()
        replacePlaceholder(placeholder, `![${escapeAlt(alt)}](${data.url})`)
        say(
          `Inserted ${file.name || 'the image'}${alt ? '' : '. It has no alt text: add a description between the brackets.'}`,
        )
      } catch (error) {
        replacePlaceholder(placeholder, '')
        const reason = error instanceof TypeError ? 'The connection failed. Try again.' : error.message
        say(`Could not upload ${file.name || 'the image'}: ${reason}`, true)
      }
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
