// A social organization's desk: its verification state, its services with their sessions
// (capacity, seats left), a new session, and each session's bookings with attendance marking.
import { gql } from '../api.js';
import { t, when } from '../i18n.js';
import { h, field, errorSlot, busy, announce } from '../dom.js';

const ORG = '{ myOrganization { id name status countyCode } }';
const SERVICES = `query($r: String){ services(filter: { regionCode: $r }, first: 100){ nodes { id name organization { id }
  sessions { id startsAt endsAt capacity seatsLeft cancelled } } } }`;

/** `yyyy-mm-ddThh:mm` typed as Beijing time, as an ISO instant. */
function beijing(local) {
  return local ? new Date(`${local}:00+08:00`).toISOString() : '';
}

function bookingsPanel(sessionId) {
  const list = h('ul', { id: `bookings-${sessionId}` });
  const err = errorSlot(`bookings-${sessionId}-error`);
  const load = async () => {
    let rows;
    try { rows = (await gql('query($s: ID!){ sessionBookings(sessionId: $s){ id status waitlistPosition } }', { s: sessionId })).sessionBookings; } catch (e) { err.show(e); return; }
    list.replaceChildren(...rows.map((b, i) => {
      const mark = (attended, label) => {
        const button = h('button', { type: 'button', class: 'secondary', dataset: { booking: b.id, attended: String(attended) } }, label);
        button.addEventListener('click', () => busy(button, err, async () => {
          await gql('mutation($b: ID!, $a: Boolean!){ markAttendance(bookingId: $b, attended: $a){ id status } }', { b: b.id, a: attended });
          announce(t('done'));
          await load();
        }));
        return button;
      };
      return h('li', { dataset: { id: b.id, status: b.status } }, `${t('booking')} ${i + 1}: `, h('span', { class: 'booking-status' }, t(`booking.${b.status}`)),
        b.waitlistPosition ? ` (${t('waitlist', { n: b.waitlistPosition })})` : '',
        b.status === 'CONFIRMED' ? [' ', mark(true, t('attended')), ' ', mark(false, t('noShow'))] : null);
    }));
    if (!rows.length) list.append(h('li', {}, t('none')));
  };
  load();
  return h('div', {}, err, list);
}

export async function orgView(main) {
  const render = async () => {
    const org = (await gql(ORG)).myOrganization;
    const services = org.status === 'VERIFIED'
      ? (await gql(SERVICES, { r: org.countyCode })).services.nodes.filter((s) => s.organization?.id === org.id) : [];
    const parts = [h('h1', {}, org.name), h('p', { class: 'card' }, `${t('orgStatus')}：`, h('strong', { id: 'org-status' }, t(`org.${org.status}`)))];
    if (services.length) {
      const [svcF, svc] = field(t('service'), h('select', { id: 'session-service' }, services.map((s) => h('option', { value: s.id }, s.name))));
      const [startF, start] = field(t('startsAt'), h('input', { type: 'datetime-local', id: 'session-start' }));
      const [hoursF, hours] = field(t('hours'), h('input', { type: 'number', id: 'session-hours', min: 1, max: 12, value: 2 }));
      const [capF, cap] = field(t('capacity'), h('input', { type: 'number', id: 'session-capacity', min: 1, value: 10 }));
      const err = errorSlot('session-error');
      const button = h('button', { type: 'submit', id: 'session-submit' }, t('create'));
      const form = h('form', { class: 'card', id: 'new-session', novalidate: true }, h('h2', {}, t('newSession')), h('div', { class: 'row' }, svcF, startF, hoursF, capF), err, button);
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        busy(button, err, async () => {
          const startsAt = beijing(start.value);
          const endsAt = startsAt ? new Date(new Date(startsAt).getTime() + Number(hours.value) * 3_600_000).toISOString() : '';
          await gql('mutation($i: SessionInput!){ createSession(input: $i){ id } }',
            { i: { serviceId: svc.value, startsAt, endsAt, capacity: Number(cap.value) } });
          announce(t('done'));
          await render();
        });
      });
      parts.push(form, h('h2', {}, t('sessions')));
      for (const s of services) {
        parts.push(h('section', { class: 'card', 'aria-label': s.name }, h('h3', {}, s.name),
          s.sessions.length ? h('table', {}, h('thead', {}, h('tr', {}, [t('startsAt'), t('capacity'), t('seatsLeft'), t('bookings')].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, s.sessions.map((x) => {
              const slot = h('td', { 'data-label': t('bookings') });
              const show = h('button', { type: 'button', class: 'secondary', dataset: { session: x.id } }, t('show'));
              show.addEventListener('click', () => slot.replaceChildren(bookingsPanel(x.id)));
              slot.append(show);
              return h('tr', { dataset: { session: x.id } }, h('td', { 'data-label': t('startsAt') }, when(x.startsAt)),
                h('td', { 'data-label': t('capacity') }, String(x.capacity)), h('td', { 'data-label': t('seatsLeft') }, String(x.seatsLeft)), slot);
            }))) : h('p', {}, t('none'))));
      }
    }
    main.replaceChildren(...parts);
  };
  try { await render(); } catch (e) { const err = errorSlot('org-error'); err.show(e); main.replaceChildren(h('h1', {}, t('org')), err); }
}
