// The department's queue: filters, sorted by deadline (the server's keyset order), refreshed live
// when the subscription reports a new, transferred or escalated request.
import { gql } from '../api.js';
import { subscribe } from '../live.js';
import { t, when, lang } from '../i18n.js';
import { h, field, errorSlot, announce } from '../dom.js';
import { entitlementNames } from './catalog.js';

const STATUSES = ['ROUTED', 'CLAIMED', 'IN_PROGRESS', 'NEEDS_INFO', 'RESOLVED_GRANTED', 'RESOLVED_REJECTED', 'WITHDRAWN'];
const QUEUE = `query($f: QueueFilter){ queue(filter: $f, first: 50){ edges { node {
  id entitlementCode status region { name } dueAt workingDaysLeft overdue assigneeId createdAt } } } }`;

/** Per-queue counts by status, overdue and median times, in the caller's scope. */
async function loadStats(card, me) {
  const err = errorSlot('stats-error');
  card.replaceChildren(h('h2', { id: 'stats-title' }, t('stats')), err);
  let stats;
  try { stats = (await gql('query($r: String){ queueStats(regionCode: $r){ regionCode byStatus { status count } overdue medianFirstResponseHours medianResolutionHours } }', { r: me.regionCode })).queueStats; } catch (e) { err.show(e); return; }
  const hours = (v) => (v === null || v === undefined ? '—' : v.toFixed(1));
  card.append(h('table', {}, h('thead', {}, h('tr', {}, [t('status'), t('count')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, stats.flatMap((s) => s.byStatus).map((c) => h('tr', {}, h('td', { 'data-label': t('status') }, t(`status.${c.status}`)), h('td', { 'data-label': t('count') }, String(c.count)))),
      stats.map((s) => h('tr', {}, h('td', { 'data-label': t('status') }, t('overdue')), h('td', { 'data-label': t('count') }, String(s.overdue)))))),
  h('p', {}, `${t('medianFirst')}：${stats.map((s) => hours(s.medianFirstResponseHours)).join(' / ')} · ${t('medianDone')}：${stats.map((s) => hours(s.medianResolutionHours)).join(' / ')}`));
}

export async function queueView(main, { me }) {
  const catalog = await entitlementNames(lang());
  const names = Object.fromEntries(catalog.map((e) => [e.code, e.name]));
  const counties = me.regionCode ? (await gql('query($p: String){ regions(parentCode: $p){ code name } }', { p: me.regionCode })).regions : [];
  const opt = (value, label) => h('option', { value }, label);
  const [statusF, status] = field(t('status'), h('select', { id: 'f-status' }, opt('', t('all')), STATUSES.map((s) => opt(s, t(`status.${s}`)))));
  const mine = catalog.filter((e) => e.requestable && e.departments.some((d) => d.code === me.department?.code));
  const [entF, ent] = field(t('entitlement'), h('select', { id: 'f-entitlement' }, opt('', t('all')), mine.map((e) => opt(e.code, e.name))));
  const [countyF, county] = field(t('county'), h('select', { id: 'f-county' }, opt('', t('all')), counties.map((c) => opt(c.code, c.name))));
  const overdue = h('input', { type: 'checkbox', id: 'f-overdue' });
  const claimedByMe = h('input', { type: 'checkbox', id: 'f-mine' });
  const err = errorSlot('queue-error');
  const liveState = h('p', { class: 'muted', id: 'live-state' });
  const body = h('tbody', { id: 'queue-rows' });
  const stats = h('section', { class: 'card', id: 'queue-stats', 'aria-labelledby': 'stats-title' });
  const table = h('table', { id: 'queue' },
    h('caption', { class: 'visually-hidden' }, t('queue')),
    h('thead', {}, h('tr', {}, [t('entitlement'), t('status'), t('county'), t('deadline'), t('daysLeft'), ''].map((c) => h('th', { scope: 'col' }, c)))),
    body);

  const load = async () => {
    const f = { overdue: overdue.checked };
    if (status.value) f.status = status.value;
    if (ent.value) f.entitlementCode = ent.value;
    if (county.value) f.regionCode = county.value;
    err.show(null);
    table.setAttribute('aria-busy', 'true');
    let rows;
    try {
      rows = (await gql(QUEUE, { f })).queue.edges.map((e) => e.node);
    } catch (e) { err.show(e); table.setAttribute('aria-busy', 'false'); return; }
    if (claimedByMe.checked) rows = rows.filter((r) => r.assigneeId === me.id);
    body.replaceChildren(...rows.map((r) => h('tr', { dataset: { id: r.id } },
      h('td', { 'data-label': t('entitlement') }, names[r.entitlementCode] ?? r.entitlementCode),
      h('td', { 'data-label': t('status') }, t(`status.${r.status}`), r.overdue ? [' ', h('span', { class: 'badge overdue' }, t('overdue'))] : null),
      h('td', { 'data-label': t('county') }, r.region.name),
      h('td', { 'data-label': t('deadline') }, when(r.dueAt)),
      h('td', { 'data-label': t('daysLeft') }, String(r.workingDaysLeft)),
      h('td', {}, h('a', { href: `#/request/${r.id}`, class: 'open' }, t('open'), h('span', { class: 'visually-hidden' }, ` ${names[r.entitlementCode] ?? ''} ${when(r.createdAt)}`))))));
    if (!rows.length) body.append(h('tr', {}, h('td', { colspan: 6 }, t('nothing'))));
    table.setAttribute('aria-busy', 'false');
    await loadStats(stats, me);
  };
  for (const c of [status, ent, county, overdue, claimedByMe]) c.addEventListener('change', load);

  main.replaceChildren(
    h('h1', {}, t('queue')),
    h('form', { class: 'card row', id: 'queue-filters', onsubmit: (e) => e.preventDefault() },
      statusF, entF, counties.length ? countyF : null,
      h('div', { class: 'check' }, overdue, h('label', { for: 'f-overdue' }, t('overdue'))),
      h('div', { class: 'check' }, claimedByMe, h('label', { for: 'f-mine' }, t('mine')))),
    liveState, err, table, stats);
  await load();

  if (!me.department || !me.regionCode) return undefined;
  return subscribe(
    'subscription($d: String!, $r: String!){ queueEvents(departmentCode: $d, regionCode: $r){ kind requestId status } }',
    { d: me.department.code, r: me.regionCode },
    async () => { await load(); announce(t('liveNew')); },
    (up) => { liveState.textContent = up ? t('live') : t('liveOff'); liveState.dataset.live = up ? 'on' : 'off'; },
  );
}
