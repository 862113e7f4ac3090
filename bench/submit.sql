-- One `submitRequest` as the server runs it on PostgreSQL (school enrolment, residence and hukou in
-- the same county: no coordination task), the same statements in the same transactions. Run by
-- `cargo run --release -p bench -- submit` with -D round, clients, k=0, tag and the template
-- values of a request filed through the server (policy, outcome, trace, subject, body, event, params).
\set n :client_id + :clients * :k
\set k :k + 1
-- (server: the retry check by idempotency key, before the transaction; here it also picks the child)
SELECT r.*, b.child_id AS cid, b.guardian_id AS gid FROM bench_children b
  LEFT JOIN requests r ON r.guardian_id = b.guardian_id AND r.idempotency_key = :tag::text || b.n
 WHERE b.n = :n \gset s_
BEGIN;
-- The child within the guardian's household.
SELECT c.* FROM children c WHERE c.id = :s_cid AND c.deleted_at IS NULL
   AND c.household_id IN (SELECT household_id FROM household_members WHERE account_id = :s_gid) \gset c_
-- The household's consents (processable? and the facts for screening).
SELECT * FROM consents WHERE household_id = :c_household_id ORDER BY id;
-- High risk?
SELECT * FROM key_care_entries WHERE child_id = :s_cid AND risk_level = 'high' LIMIT 1;
INSERT INTO requests (id, kind, parent_id, child_id, guardian_id, entitlement_code, department_code, region_code, status, priority,
   details, idempotency_key, open_key, policy_version, eligibility_outcome, eligibility_trace, cross_province, assignee_id,
   first_response_due_at, due_at, first_response_at, paused_at, warned_at, escalation_level, resolution_reason, resolved_at,
   created_at, updated_at, child_aged_out_on, erased_at)
VALUES (gen_random_uuid(), 'lead', NULL, :s_cid, :s_gid, 'school_enrolment', 'education', '520102', 'routed', 0,
   '孩子今年九月上小学', :tag::text || :n::text, :s_cid::text || ':' || 'school_enrolment', :policy::text, :outcome::text, :trace::jsonb, false, NULL,
   now() + interval '3 days', now() + interval '20 days', NULL, NULL, NULL, 0, NULL, NULL, now(), now(), NULL, NULL)
RETURNING id AS rid \gset
-- (the server generates the id and inserts without RETURNING; pgbench needs it back)
INSERT INTO request_events (id, request_id, actor_id, kind, from_status, to_status, note, public, created_at)
VALUES (gen_random_uuid(), :rid, :s_gid, 'submitted', NULL, 'routed', NULL, true, now());
INSERT INTO outbox (id, recipient, subject, body, status, attempts, next_attempt_at, locked_until, last_error, sent_at, created_at,
   child_id, account_id, event, params, channel, refused, delivered_via)
VALUES (gen_random_uuid(), '', :subject::text, :body::text, 'pending', 0, now(), NULL, NULL, NULL, now(), :s_cid, :s_gid, :event::text, :params::text, NULL, NULL, NULL);
SELECT pg_notify('tongxin_queue', '{"kind":"new","request_id":"' || :rid::text || '","department_code":"education","region_code":"520102","entitlement_code":"school_enrolment","status":"routed"}');
COMMIT;
-- (the answer is the history just written: nothing read after the commit)
