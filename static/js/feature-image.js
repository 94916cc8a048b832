// Adds to the editor's feature image picker: uploading a new image straight into it, and showing older library images.
// Without this file the picker still works: "None" or one of the newest images, saved with the post.
;(() => {
  const picker = document.querySelector('[data-feature-picker]')
  const form = document.getElementById('post-form')
  if (!picker || !form) return
  const card = picker.closest('fieldset')

  const csrf = () => form.querySelector('input[name="_csrf"]')?.value || ''
  const changed = () => form.dispatchEvent(new Event('input', { bubbles: true }))

  const status = document.createElement('p')
  status.className = 'help feature-image__status'
  status.setAttribute('aria-live', 'polite')
  const say = (text, link) => {
    status.textContent = text
    if (link) {
      const a = document.createElement('a')
      a.href = link.href
      a.textContent = link.text
      status.append(' ', a, '.')
    }
  }

  const actions = document.createElement('div')
  actions.className = 'feature-image__actions'
  const upload = document.createElement('button')
  upload.type = 'button'
  upload.className = 'button-secondary'
  upload.textContent = 'Upload an image…'
  const chooser = document.createElement('input')
  chooser.type = 'file'
  chooser.accept = picker.dataset.accept || 'image/*'
  chooser.hidden = true
  actions.append(upload, chooser)
  let more = null
  if (picker.dataset.moreUrl) {
    more = document.createElement('button')
    more.type = 'button'
    more.className = 'button-secondary'
    more.textContent = 'Show older images'
    actions.append(more)
  }
  picker.after(actions, status)
  card?.querySelector('[data-feature-empty]')?.remove()

  /** A session that ran out sends fetches to the sign-in page, which answers 200: that is not an answer. */
  const signedOut = (response) =>
    response.redirected && new URL(response.url).pathname.startsWith('/admin/login')
  const SIGNED_OUT =
    'you were signed out. Sign in again in another tab, then try again (nothing here is lost).'

  // The note about the saved image's missing alt text is about that image only.
  picker.addEventListener('change', () => card?.querySelector('.feature-image__alt-note')?.remove())

  /** A tile like the server's (views/admin/posts/feature-tiles.eta), for an image just uploaded. */
  function tileFor(image, name) {
    const label = document.createElement('label')
    label.className = 'feature-picker__tile'
    const radio = document.createElement('input')
    radio.type = 'radio'
    radio.name = 'feature_image'
    radio.value = String(image.id)
    const img = document.createElement('img')
    img.src = image.thumbUrl || image.url
    img.alt = ''
    const text = document.createElement('span')
    text.className = 'feature-picker__label'
    text.textContent = image.alt || name
    if (!image.alt) text.classList.add('muted')
    label.append(radio, img, text)
    return { label, radio }
  }

  upload.addEventListener('click', () => chooser.click())
  chooser.addEventListener('change', async () => {
    const file = chooser.files?.[0]
    chooser.value = ''
    if (!file) return
    const name = file.name || 'the image'
    upload.disabled = true
    say(`Uploading ${name}…`)
    const body = new FormData()
    body.append('_csrf', csrf())
    body.append('file', file, file.name || 'feature-image.png')
    try {
      const response = await fetch('/admin/media', {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      })
      if (signedOut(response)) throw new Error(SIGNED_OUT)
      const data = await response.json().catch(() => ({}))
      if (!response.ok || data.id === undefined)
        throw new Error(data.error || `The upload failed (${response.status}).`)
      const existing = picker.querySelector(
        `input[name="feature_image"][value="${CSS.escape(String(data.id))}"]`,
      )
      const radio = existing || tileFor(data, name).radio
      if (!existing) picker.querySelector('.feature-picker__none')?.after(radio.closest('label'))
      radio.checked = true
      radio.focus()
      changed()
      if (data.alt) say(`${name} is the feature image. Save to keep it.`)
      else
        say(`${name} is the feature image. Save to keep it. It has no alt text yet:`, {
          href: data.detailUrl,
          text: 'describe it in the media library',
        })
    } catch (error) {
      say(
        `Could not upload ${name}: ${error instanceof TypeError ? 'the connection failed. Try again.' : error.message}`,
      )
    } finally {
      upload.disabled = false
    }
  })

  more?.addEventListener('click', async () => {
    const url = picker.dataset.moreUrl
    if (!url) return
    more.disabled = true
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      if (signedOut(response)) throw new Error(SIGNED_OUT)
      if (!response.ok) throw new Error(`error ${response.status}. Try again.`)
      const template = document.createElement('template')
      template.innerHTML = await response.text()
      const shown = new Set(
        Array.from(picker.querySelectorAll('input[name="feature_image"]'), (input) => input.value),
      )
      const tiles = Array.from(template.content.querySelectorAll('.feature-picker__tile')).filter(
        (tile) => !shown.has(tile.querySelector('input')?.value ?? ''),
      )
      picker.append(...tiles)
      // Focus goes to the first new image, or back into the grid: never lost with the button.
      const target =
        tiles[0]?.querySelector('input') ||
        picker.querySelector('input[name="feature_image"]:checked') ||
        picker.querySelector('input')
      target?.focus()
      const next = response.headers.get('x-next-page')
      if (next) picker.dataset.moreUrl = next
      else {
        delete picker.dataset.moreUrl
        more.remove()
        card?.querySelector('[data-feature-summary]')?.remove()
      }
      say(`${tiles.length} older ${tiles.length === 1 ? 'image' : 'images'} shown.`)
    } catch (error) {
      say(
        `Could not load older images: ${error instanceof TypeError ? 'the connection failed. Try again.' : error.message}`,
      )
    } finally {
      more.disabled = false
    }
  })
})()
