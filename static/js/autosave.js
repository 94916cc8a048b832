// Saves the post editor's fields into the post's autosave slot as the author types, and says so in a status line.
// Never the post itself: only Save does that. Without this file the editor works as before, with no autosave.
;(() => {
  const DEBOUNCE_MS = 2000
  const MAX_WAIT_MS = 5000
  const RETRY_MS = [5000, 10000, 20000, 30000]
  /** Browsers refuse keepalive bodies over 64 KiB; a longer text is sent as an ordinary request. */
  const KEEPALIVE_LIMIT = 60000

  const form = document.getElementById('post-form')
  const line = document.getElementById('autosave-status')
  const versionInput = form?.querySelector('input[name="version"]')
  if (!form || !line || !versionInput || !line.dataset.url || typeof fetch !== 'function') return
  const shown = line.querySelector('[data-autosave-text]')
  const said = line.querySelector('[data-autosave-said]')
  let url = line.dataset.url
  const creating = () => url.startsWith('/admin/posts/new/')

  /** The form as it would be posted (the _csrf and version fields included); never the buttons. */
  function formBody() {
    const body = new URLSearchParams()
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') body.append(name, value)
    return body
  }
  /** What the author typed, without the token and version, to tell whether anything changed. */
  function typed() {
    const body = formBody()
    body.delete('_csrf')
    body.delete('version')
    return body.toString()
  }

  let lastSaved = typed()
  let savedAt = 0
  let debounce
  let deadline
  let retry
  let retries = 0
  let inFlight
  /** What the request in flight carries. */
  let inFlightText
  let submitting = false
  /** Another tab saved a newer version: stop until the author saves or reloads. */
  let stopped = false
  /** An answer that will not change by sending the same text again (too long, post deleted). */
  let refusedText

  /**
   * The visible line changes often ("Saving…", "Saved 3 s ago"); the polite live region only when the
   * state does (saved, not saved and why), so a screen reader is not told about every pause in typing.
   */
  let lastSaid = ''
  function show(text, announce) {
    line.hidden = false
    if (shown) shown.textContent = text
    if (said && announce !== undefined && announce !== lastSaid) {
      said.textContent = announce
      lastSaid = announce
    }
  }
  function showSaved() {
    if (!savedAt) return
    const seconds = Math.round((Date.now() - savedAt) / 1000)
    const ago =
      seconds < 5 ? 'just now' : seconds < 60 ? `${seconds} s ago` : `${Math.floor(seconds / 60)} min ago`
    show(`Saved ${ago}`, 'Saved')
  }
  setInterval(() => {
    if (!inFlight && !retry && !stopped && !refusedText && typed() === lastSaved) showSaved()
  }, 1000)

  function clearTimers() {
    clearTimeout(debounce)
    clearTimeout(deadline)
    debounce = undefined
    deadline = undefined
  }

  /** Typing waits for a pause of DEBOUNCE_MS, but never more than MAX_WAIT_MS for the first unsaved change. */
  function schedule() {
    if (submitting || stopped) return
    refusedText = undefined
    clearTimeout(debounce)
    debounce = setTimeout(save, DEBOUNCE_MS)
    deadline ??= setTimeout(save, MAX_WAIT_MS)
  }

  function retryLater(text, announce) {
    show(text, announce)
    clearTimeout(retry)
    const delay = RETRY_MS[Math.min(retries, RETRY_MS.length - 1)]
    retries += 1
    retry = setTimeout(() => {
      retry = undefined
      save()
    }, delay)
  }

  /** A new post got its draft row: from now on the form saves it, and the address is its editor's. */
  function adopt(response) {
    const editor = response.headers.get('location')
    const version = response.headers.get('x-post-version')
    if (!editor || !version) return
    url = `${editor}/autosave`
    versionInput.value = version
    form.action = editor
    history.replaceState(history.state, '', editor)
  }

  /** Says what an answer means; true when the text is kept. */
  async function understand(response) {
    if (response.type === 'opaqueredirect' || response.status === 401) {
      const signedOut =
        'Not saved: you are signed out. Sign in again in another tab; your text is still here.'
      retryLater(signedOut, signedOut)
      return false
    }
    if (response.ok) {
      if (response.status === 201) adopt(response)
      retries = 0
      return true
    }
    const text = (response.headers.get('content-type') ?? '').startsWith('text/plain')
      ? await response.text()
      : ''
    if (response.status === 409) {
      stopped = true
      const changed = text || 'Not saved: this post was changed in another tab or window.'
      show(changed, changed)
    } else if (response.status === 403) {
      refusedText =
        'Not saved: this page is too old to save from. Copy your text, reload the page and paste it.'
      show(refusedText, refusedText)
    } else if (response.status === 413 || response.status === 422 || response.status === 404) {
      refusedText = text || 'Not saved: the text is larger than the editor accepts.'
      show(refusedText, refusedText)
    } else {
      retryLater(
        `Not saved: the server had a problem (error ${response.status}), retrying`,
        'Not saved, retrying',
      )
    }
    return false
  }

  async function save(options = {}) {
    clearTimers()
    if (submitting || stopped) return
    const text = typed()
    if (text === lastSaved) {
      showSaved()
      return
    }
    // One request at a time, so they arrive in order; the newest text follows the one in flight.
    if (inFlight) {
      inFlight.finally(() => schedule())
      return
    }
    const body = formBody()
    const keepalive = Boolean(options.keepalive) && body.toString().length < KEEPALIVE_LIMIT
    show('Saving…')
    inFlightText = text
    const request = fetch(url, {
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { accept: 'text/plain' },
      redirect: 'manual',
      keepalive,
    })
    inFlight = request.then(understand).then(
      (kept) => {
        if (!kept) return
        lastSaved = text
        savedAt = Date.now()
        clearTimeout(retry)
        retry = undefined
        if (typed() === lastSaved) showSaved()
      },
      () => retryLater('Not saved: offline, retrying', 'Not saved: offline, retrying'),
    )
    await inFlight
    inFlight = undefined
  }

  form.addEventListener('input', schedule)
  form.addEventListener('change', schedule)
  window.addEventListener('online', () => {
    if (retry) {
      clearTimeout(retry)
      retry = undefined
      save()
    }
  })

  // Closing the tab, switching away or a phone putting the browser to sleep: send what is not saved
  // yet at once, with keepalive so the request outlives the page.
  function flush() {
    const text = typed()
    // A new post's first save is on its way: a second one would make a second draft.
    if (submitting || stopped || text === lastSaved || (inFlight && (creating() || text === inFlightText)))
      return
    if (!inFlight) {
      save({ keepalive: true })
      return
    }
    // Older text is on its way, and the page may not live to send the newest after it: send it now.
    const body = formBody()
    if (body.toString().length < KEEPALIVE_LIMIT)
      fetch(url, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        redirect: 'manual',
        keepalive: true,
      }).catch(() => {})
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush()
  })
  window.addEventListener('pagehide', flush)

  // A real Save clears the slot itself. While a new post's first autosave is on its way, the Save
  // waits for it, so it updates that draft instead of making a second post.
  form.addEventListener('submit', (event) => {
    clearTimers()
    if (inFlight && creating()) {
      event.preventDefault()
      const button = event.submitter
      inFlight.then(() => form.requestSubmit(button ?? undefined))
      return
    }
    submitting = true
    // Another script may stop this submission (a dialog asking first): autosave goes on then.
    setTimeout(() => {
      if (event.defaultPrevented) submitting = false
    })
  })

  // After Restore, the address without ?restore=1, so reloading offers the prompt again instead.
  const address = new URL(window.location.href)
  if (address.searchParams.has('restore')) {
    address.searchParams.delete('restore')
    history.replaceState(history.state, '', address.pathname + address.search + address.hash)
  }

  show('Changes are saved as you type.')
  // A form sent back unsaved (a refused Save, a preview): keep its text in the slot too.
  if (form.dataset.unsaved === 'true') {
    lastSaved = ''
    schedule()
  }
})()
