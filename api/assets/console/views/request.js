// One request: what the family asked, the deadline, the whole history (internal comments marked),
// and the clerk's actions allowed in its status. Each error shows beside the action that caused it.
import { gql } from '../api.js';
import { t, when, lang } from '../i18n.js';
import { h, field, errorSlot, busy, announce } from '../dom.js';
import { entitlementNames } from './catalog.js';

const GET = `query($id: ID!){ request(id: $id){ id entitlementCode status details eligibilityOutcome
  department { code name } region { code name parentCode } dueAt workingDaysLeft overdue assigneeId createdAt resolutionReason
  history { id kind note public at toStatus } } }`;
const OPEN_WORK = ['CLAIMED', 'IN_PROGRESS'];
const OPEN = ['ROUTED', 'CLAIMED', 'IN_PROGRESS', 'NEEDS_INFO'];

/** A small form: labelled controls, an error slot and a submit button running `act`. */
function actionForm(id, title, controls, label, act, rerender) {
  const err = errorSlot(`${id}-error`);
  const button = h('button', { type: 'submit', id: `${id}-submit` }, label);
  const form = h('form', { class: 'card', id, novalidate: true }, h('h2', {}, title), ...controls, err, button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => { await act(); announce(t('done')); await rerender(); });
  });
  return form;
}

/** Transfer to another department or county (the policy decides which moves are allowed). */
async function transferForm(id, r, mutate, rerender) {
  const [{ departments }, { regions }] = await Promise.all([
    gql('{ departments { code name } }'),
    gql('query($p: String){ regions(parentCode: $p){ code name } }', { p: r.region.parentCode }),
  ]);
  const [deptF, dept] = field(t('transferTo'), h('select', { id: 'transfer-department' },
    departments.map((d) => h('option', { value: d.code, selected: d.code === r.department.code }, d.name))));
  const [countyF, county] = field(t('transferCounty'), h('select', { id: 'transfer-county' },
    regions.map((c) => h('option', { value: c.code, selected: c.code === r.region.code }, c.name))));
  const [reasonF, reason] = field(t('transferReason'), h('textarea', { id: 'transfer-reason' }));
  return actionForm('transfer', t('transfer'), [h('div', { class: 'row' }, deptF, countyF), reasonF], t('transfer'),
    () => mutate('transferRequest', { id, departmentCode: dept.value, regionCode: county.value, reason: reason.value }), rerender);
}

export async function requestView(main, _ctx, id) {
  const names = Object.fromEntries((await entitlementNames(lang())).map((e) => [e.code, e.name]));
  const render = async () => {
    let r;
    try {
      r = (await gql(GET, { id })).request;
    } catch (e) {
      const err = errorSlot('request-error');
      err.show(e);
      main.replaceChildren(h('h1', {}, t('request')), err, h('a', { href: '#/queue' }, t('back')));
      return;
    }
    const mutate = (op, vars) => gql(`mutation(${Object.keys(vars).map((k) => `$${k}: ${k === 'granted' || k === 'internal' ? 'Boolean!' : k === 'id' ? 'ID!' : 'String!'}`).join(', ')}){ ${op}(${Object.keys(vars).map((k) => `${k}: $${k}`).join(', ')}){ id status } }`, vars);
    const actions = [];
    if (r.status === 'ROUTED') {
      actions.push(actionForm('claim', t('claim'), [], t('claim'), () => mutate('claimRequest', { id }), render));
    }
    if (OPEN_WORK.includes(r.status)) {
      const [askF, ask] = field(t('askLabel'), h('textarea', { id: 'ask-message' }));
      actions.push(actionForm('ask', t('ask'), [askF], t('ask'), () => mutate('askForInformation', { id, message: ask.value }), render));
      const yes = h('input', { type: 'radio', name: 'granted', id: 'resolve-granted', value: 'true', checked: true });
      const no = h('input', { type: 'radio', name: 'granted', id: 'resolve-rejected', value: 'false' });
      const [reasonF, reason] = field(t('reason'), h('textarea', { id: 'resolve-reason' }));
      const decision = h('fieldset', {}, h('legend', {}, t('decision')),
        h('div', { class: 'check' }, yes, h('label', { for: 'resolve-granted' }, t('granted'))),
        h('div', { class: 'check' }, no, h('label', { for: 'resolve-rejected' }, t('rejected'))));
      actions.push(actionForm('resolve', t('resolve'), [decision, reasonF], t('resolve'),
        () => mutate('resolveRequest', { id, granted: yes.checked, reason: reason.value }), render));
    }
    if (OPEN.includes(r.status) && r.status !== 'ROUTED') {
      actions.push(await transferForm(id, r, mutate, render));
    }
    if (OPEN.includes(r.status)) {
      const [bodyF, body] = field(t('commentLabel'), h('textarea', { id: 'comment-body' }));
      const internal = h('input', { type: 'checkbox', id: 'comment-internal', checked: true });
      actions.push(actionForm('comment', t('comment'), [bodyF, h('div', { class: 'check' }, internal, h('label', { for: 'comment-internal' }, t('internal')))],
        t('comment'), () => mutate('commentOnRequest', { id, body: body.value, internal: internal.checked }), render));
    }
    const history = h('ol', { class: 'history', id: 'history' }, r.history.map((e) => h('li', { dataset: { kind: e.kind, public: String(e.public) } },
      h('strong', {}, t(`ev.${e.kind}`)), ' · ', when(e.at), ' ',
      h('span', { class: e.public ? 'badge' : 'badge internal' }, e.public ? t('publicEv') : t('internalEv')),
      e.note ? h('div', {}, e.note) : null)));
    main.replaceChildren(
      h('p', {}, h('a', { href: '#/queue' }, t('back'))),
      h('h1', {}, `${names[r.entitlementCode] ?? r.entitlementCode} · `, h('span', { id: 'request-status' }, t(`status.${r.status}`))),
      h('div', { class: 'card' }, h('dl', { class: 'facts' },
        h('dt', {}, t('department')), h('dd', {}, r.department.name),
        h('dt', {}, t('region')), h('dd', {}, r.region.name),
        h('dt', {}, t('submitted')), h('dd', {}, when(r.createdAt)),
        h('dt', {}, t('deadline')), h('dd', {}, when(r.dueAt), r.overdue ? [' ', h('span', { class: 'badge overdue' }, t('overdue'))] : null),
        h('dt', {}, t('daysLeft')), h('dd', { id: 'days-left' }, String(r.workingDaysLeft)),
        h('dt', {}, t('eligibility')), h('dd', {}, t(`outcome.${r.eligibilityOutcome}`)),
        h('dt', {}, t('details')), h('dd', {}, r.details || '—'),
        r.resolutionReason ? [h('dt', {}, t('reason')), h('dd', {}, r.resolutionReason)] : null)),
      ...actions,
      h('h2', {}, t('history')), history);
  };
  await render();
}
