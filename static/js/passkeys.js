// Owns passkeys in the browser (through @simplewebauthn/browser): "Sign in with a passkey" and autofill on the sign-in page, "Add a passkey" on the account page.
;(() => {
  const library = window.SimpleWebAuthnBrowser
  const message = document.querySelector('[data-passkey-message]')
  const signIn = document.querySelector('[data-passkey-sign-in]')
  const addForm = document.querySelector('form[data-passkey-add]')
  if (!message || (!signIn && !addForm)) return

  /** Shows one message in the page's live region: 'error', 'done' or 'note'. */
  function say(text, kind) {
    const paragraph = document.createElement('p')
    paragraph.className = kind === 'error' ? 'form-error' : kind === 'done' ? 'flash' : 'notice'
    paragraph.textContent = text
    message.replaceChildren(paragraph)
  }

  // Browsers offer WebAuthn only to HTTPS pages and http://localhost.
  if (!window.isSecureContext) {
    say(
      'Passkeys need HTTPS: open this site at its https:// address (or at http://localhost while developing).',
      'note',
    )
    return
  }
  if (!library?.browserSupportsWebAuthn()) {
    if (addForm)
      say('This browser cannot make passkeys. Try a current Chrome, Edge, Firefox or Safari.', 'note')
    return
  }

  /** An answer from the site, already in words for the person. */
  class SiteProblem extends Error {}

  const WORDS_FOR_STATUS = {
    401: 'You are signed out, so nothing was changed. Reload the page and sign in again.',
    403: 'This page is too old to send from. Reload it and try again.',
    413: 'The browser sent more than the site accepts. Reload the page and try again.',
  }

  /**
   * POSTs JSON with the page's CSRF token; resolves to { data } or, when the site answers with a
   * redirect (a session started), { redirected: true }. Refusals throw a SiteProblem.
   */
  async function post(url, body, csrf) {
    let response
    try {
      response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'csrf-token': csrf },
        body: JSON.stringify(body),
      })
    } catch {
      throw new SiteProblem('The site could not be reached. Check your connection and try again.')
    }
    if (response.type === 'opaqueredirect') return { redirected: true }
    const data = await response.json().catch(() => null)
    if (response.ok && data) return { data }
    const words = data && typeof data.message === 'string' ? data.message : WORDS_FOR_STATUS[response.status]
    throw new SiteProblem(words || 'Something went wrong on the site. Try again in a moment.')
  }

  const cancelled = (error) =>
    error && (error.name === 'AbortError' || error.code === 'ERROR_CEREMONY_ABORTED')

  /** Words for what went wrong, whether the site or the browser said it. */
  function describe(error, adding) {
    if (error instanceof SiteProblem) return error.message
    const code = error?.code
    const name = error?.name
    if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
      return 'This device already holds one of your passkeys for this site (see the list above).'
    if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || name === 'SecurityError')
      return 'The browser refused because this page’s address is not the site’s address (SITE_URL). Open the admin at the site’s own address.'
    if (name === 'NotAllowedError' || cancelled(error))
      return adding
        ? 'No passkey was added: it was cancelled or took too long.'
        : 'The passkey sign-in was cancelled or took too long. Try again, or use your password.'
    const reason = error?.message ? error.message : 'the browser gave no reason'
    return adding ? `No passkey was added: ${reason}` : `The passkey sign-in did not work: ${reason}`
  }

  const fieldValue = (form, name) => {
    const input = form?.querySelector(`input[name="${name}"]`)
    return input ? input.value : ''
  }

  if (signIn) {
    const form = document.querySelector('form[data-login-form]')
    const csrf = fieldValue(form, '_csrf')
    const next = fieldValue(form, 'next') || '/admin'
    const button = signIn.querySelector('[data-passkey-start]')
    // The autofill's challenge request, so the button's own does not race it for the cookie.
    let asking = Promise.resolve()

    async function authenticate(autofill) {
      const ask = post('/admin/login/passkey/options', { next }, csrf)
      asking = ask.catch(() => {})
      // Nobody asked for the autofill: if the site cannot offer it now, the button says why when clicked.
      const { data: optionsJSON } = autofill ? await ask.catch(() => ({ data: null })) : await ask
      if (!optionsJSON) return
      const response = await library.startAuthentication({ optionsJSON, useBrowserAutofill: autofill })
      say('Checking your passkey…', 'note')
      const result = await post('/admin/login/passkey', { response }, csrf)
      // The site started the session and answered with a redirect to `next`.
      if (result.redirected) window.location.assign(next)
    }

    signIn.hidden = false
    button.addEventListener('click', async () => {
      button.disabled = true
      message.replaceChildren()
      try {
        await asking
        await authenticate(false)
      } catch (error) {
        say(describe(error, false), 'error')
      } finally {
        button.disabled = false
      }
    })

    // Conditional UI: the browser offers passkeys in the email field's autofill list.
    library.browserSupportsWebAuthnAutofill().then((supported) => {
      if (!supported) return
      authenticate(true).catch((error) => {
        // Clicking the button ends the autofill request; that is no failure.
        if (!cancelled(error)) say(describe(error, false), 'error')
      })
    })
  }

  if (addForm) {
    const button = addForm.querySelector('button[type="submit"]')
    addForm.hidden = false
    addForm.addEventListener('submit', async (event) => {
      event.preventDefault()
      const csrf = fieldValue(addForm, '_csrf')
      button.disabled = true
      message.replaceChildren()
      try {
        // A passkey is a new way in: the site asks for the current password before it offers one.
        const { data: optionsJSON } = await post(
          '/admin/account/passkeys/options',
          { current_password: fieldValue(addForm, 'current_password') },
          csrf,
        )
        say('Follow your browser’s prompt to make the passkey…', 'note')
        const response = await library.startRegistration({ optionsJSON })
        const { data } = await post(
          '/admin/account/passkeys',
          { name: fieldValue(addForm, 'name'), response },
          csrf,
        )
        say(data.message, 'done')
        window.location.assign(data.redirect)
      } catch (error) {
        say(describe(error, true), 'error')
        button.disabled = false
      }
    })
  }
})()
