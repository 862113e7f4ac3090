-- One `resolveRequest` (granted) as the server runs it on PostgreSQL: the same statements in one
-- transaction, then the staff view of the answer. Each client resolves the requests it claimed.
\set n :client_id + :clients * :k
\set k :k + 1
BEGIN;
SELECT r.* FROM bench_requests b JOIN requests r ON r.id = b.id WHERE b.round = :round AND b.n = :n FOR UPDATE OF r \gset r_
UPDATE requests SET status = 'resolved_granted', updated_at = now(), open_key = NULL, resolution_reason = '已安排至新华路小学', resolved_at = now()
 WHERE id = :r_id;
INSERT INTO request_events (id, request_id, actor_id, kind, from_status, to_status, note, public, created_at)
VALUES (gen_random_uuid(), :r_id, :staff::uuid, 'resolved', 'claimed', 'resolved_granted', '已安排至新华路小学', true, now());
INSERT INTO outbox (id, recipient, subject, body, status, attempts, next_attempt_at, locked_until, last_error, sent_at, created_at,
   child_id, account_id, event, params, channel, refused, delivered_via)
VALUES (gen_random_uuid(), '', :subject::text, :body::text, 'pending', 0, now(), NULL, NULL, NULL, now(), :r_child_id, :r_guardian_id, :event::text, :params::text, NULL, NULL, NULL);
INSERT INTO audit_log (id, actor_id, action, subject_type, subject_id, detail, created_at)
VALUES (gen_random_uuid(), :staff::uuid, 'request.resolved', 'request', :r_id::text, '{"granted": true}', now());
-- The answer (staff view), read before the commit.
SELECT * FROM requests WHERE id = :r_id;
SELECT * FROM request_events WHERE request_id = :r_id ORDER BY id;
SELECT * FROM requests WHERE parent_id = :r_id;
COMMIT;
