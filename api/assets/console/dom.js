// Builds elements without innerHTML: every text from the server lands as text, never markup.

/** h('button', {type: 'button', onclick}, 'text', child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
/** A labelled control: returns [wrapper, control]. */
export function field(label, control) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  return [h('div', { class: 'field' }, h('label', { for: id }, label), control), control];
}

/** An error slot placed next to a control; `show(err)` fills it with the localized message. */
export function errorSlot(id) {
  const el = h('p', { class: 'error', role: 'alert', id });
  el.show = (err) => { el.textContent = err ? err.message : ''; if (err?.code) el.dataset.code = err.code; else delete el.dataset.code; };
  return el;
}

/** Runs `action` with the button disabled; a typed error goes to `slot`. */
export async function busy(button, slot, action) {
  button.disabled = true;
  slot.show(null);
  try {
    return await action();
  } catch (e) {
    slot.show(e);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

export function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}
