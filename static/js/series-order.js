// Reorders a series' parts by dragging or with Move up / Move down; both rewrite the part number fields, and Save sends them.
;(() => {
  const list = document.querySelector('[data-series-parts]')
  if (!list) return
  const status = document.getElementById('parts-status')
  const rows = () => Array.from(list.querySelectorAll('[data-part]'))
  const titleOf = (row) => row.querySelector('.series-part__title')?.textContent ?? 'This part'

  /** Marks the moves that would go nowhere: aria-disabled keeps a focused button focusable at the end. */
  function markEnds() {
    const all = rows()
    all.forEach((row, i) => {
      row.querySelector('[data-move="up"]')?.setAttribute('aria-disabled', String(i === 0))
      row.querySelector('[data-move="down"]')?.setAttribute('aria-disabled', String(i === all.length - 1))
    })
  }

  /** After a move: numbers the fields 1…N in the order shown. Until then they keep what was typed. */
  function renumber() {
    rows().forEach((row, i) => {
      const field = row.querySelector('input[type="number"]')
      if (field) field.value = String(i + 1)
    })
    markEnds()
  }

  function announce(row) {
    if (!status) return
    const all = rows()
    status.textContent = `“${titleOf(row)}” is now part ${all.indexOf(row) + 1} of ${all.length}. Save to keep this order.`
  }

  for (const hidden of list.querySelectorAll('.series-part__move, .series-part__handle'))
    hidden.hidden = false
  for (const help of document.querySelectorAll('.series-parts__js-help')) help.hidden = false
  markEnds()

  list.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-move]') : null
    const row = button?.closest('[data-part]')
    if (!button || !row) return
    const up = button.getAttribute('data-move') === 'up'
    const other = up ? row.previousElementSibling : row.nextElementSibling
    if (!other) return
    if (up) other.before(row)
    else other.after(row)
    renumber()
    button.focus()
    announce(row)
  })

  // Only the handle is draggable, so selecting the text of a number field never drags its row.
  let dragged = null
  for (const handle of list.querySelectorAll('.series-part__handle')) handle.draggable = true
  list.addEventListener('dragstart', (event) => {
    const handle = event.target instanceof Element ? event.target.closest('.series-part__handle') : null
    const row = handle?.closest('[data-part]')
    if (!row) return
    dragged = row
    row.classList.add('series-part--dragging')
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = 'move'
      event.dataTransfer.setData('text/plain', titleOf(row))
      event.dataTransfer.setDragImage(row, 16, 16)
    }
  })
  list.addEventListener('dragover', (event) => {
    if (!dragged) return
    event.preventDefault()
    const over = event.target instanceof Element ? event.target.closest('[data-part]') : null
    if (!over || over === dragged) return
    const box = over.getBoundingClientRect()
    if (event.clientY > box.top + box.height / 2) over.after(dragged)
    else over.before(dragged)
  })
  list.addEventListener('drop', (event) => {
    if (dragged) event.preventDefault()
  })
  list.addEventListener('dragend', () => {
    if (!dragged) return
    const row = dragged
    dragged = null
    row.classList.remove('series-part--dragging')
    renumber()
    announce(row)
  })
})()
