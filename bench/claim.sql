-- One `claimRequest` as the server runs it on PostgreSQL: the same statements in one transaction,
-- then the staff view of the answer. Each client claims requests n = client_id, client_id +
-- clients, … of its round from bench_requests (filled from its own submit round).
\set n :client_id + :clients * :k
\set k :k + 1
BEGIN;
SELECT r.* FROM bench_requests b JOIN requests r ON r.id = b.id WHERE b.round = :round AND b.n = :n FOR UPDATE OF r \gset r_
UPDATE requests SET status = 'claimed', assignee_id = :staff::uuid, first_response_at = now(), updated_at = now()
 WHERE id = :r_id AND status = 'routed' AND assignee_id IS NULL;
INSERT INTO request_events (id, request_id, actor_id, kind, from_status, to_status, note, public, created_at)
VALUES (gen_random_uuid(), :r_id, :staff::uuid, 'claimed', 'routed', 'claimed', NULL, true, now());
INSERT INTO outbox (id, recipient, subject, body, status, attempts, next_attempt_at, locked_until, last_error, sent_at, created_at,
   child_id, account_id, event, params, channel, refused, delivered_via)
VALUES (gen_random_uuid(), '', :subject::text, :body::text, 'pending', 0, now(), NULL, NULL, NULL, now(), :r_child_id, :r_guardian_id, :event::text, :params::text, NULL, NULL, NULL);
-- The answer (staff view), read before the commit.
SELECT * FROM request_events WHERE request_id = :r_id ORDER BY id;
SELECT * FROM requests WHERE parent_id = :r_id;
COMMIT;
