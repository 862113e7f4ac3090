-- One booking as `bookSession` runs it on PostgreSQL (see BENCHMARKS.md, "A booking is one short
-- transaction"): the same statements in one transaction on the same kind of rows. Run by
-- `cargo run --release -p bench -- booking` with -D round=<r> -D clients=<c> -D k=0; each client
-- takes the booking pairs n = client_id, client_id + clients, … of its round from bench_pairs.
\set n :client_id + :clients * :k
\set k :k + 1
BEGIN;
-- The child, if it is in the guardian's household (with the pair to book: the server has it from
-- the request instead).
SELECT c.*, p.session_id AS sid, p.guardian_id AS gid FROM bench_pairs p JOIN children c ON c.id = p.child_id
 WHERE p.round = :round AND p.n = :n AND c.deleted_at IS NULL
   AND c.household_id IN (SELECT household_id FROM household_members WHERE account_id = p.guardian_id) \gset b_
-- The session with its bookable service, no lock.
SELECT s.*, v.* FROM sessions s JOIN services v ON s.service_id = v.id
 WHERE s.id = :b_sid AND v.organization_id IN (SELECT id FROM organizations WHERE status = 'verified');
-- A seat: the conditional update that also locks the session row until COMMIT.
WITH u AS (UPDATE sessions SET booked = booked + 1
            WHERE id = :b_sid AND cancelled_at IS NULL AND starts_at > now() AND booked < capacity RETURNING *)
SELECT count(*) AS seat FROM u \gset
\if :seat = 0
-- Full: the next waiting place.
WITH u AS (UPDATE sessions SET waitlist_last = waitlist_last + 1
            WHERE id = :b_sid AND cancelled_at IS NULL AND starts_at > now() AND booked >= capacity RETURNING *)
SELECT max(waitlist_last) AS seq FROM u \gset
INSERT INTO bookings (id, session_id, child_id, guardian_id, status, waitlist_seq, created_at, cancelled_at, promoted_at, attendance_at, idempotency_key)
VALUES (gen_random_uuid(), :b_sid, :b_id, :b_gid, 'waitlisted', :seq, now(), NULL, NULL, NULL, NULL)
ON CONFLICT (session_id, child_id) DO UPDATE SET guardian_id = excluded.guardian_id, status = excluded.status,
   waitlist_seq = excluded.waitlist_seq, created_at = excluded.created_at, cancelled_at = excluded.cancelled_at,
   promoted_at = excluded.promoted_at, attendance_at = excluded.attendance_at, idempotency_key = excluded.idempotency_key
 WHERE bookings.status = 'cancelled' RETURNING *;
-- Its place for `waitlistPosition`.
SELECT count(*) FROM bookings WHERE session_id = :b_sid AND status = 'waitlisted' AND waitlist_seq < :seq;
\else
INSERT INTO bookings (id, session_id, child_id, guardian_id, status, waitlist_seq, created_at, cancelled_at, promoted_at, attendance_at, idempotency_key)
VALUES (gen_random_uuid(), :b_sid, :b_id, :b_gid, 'confirmed', NULL, now(), NULL, NULL, NULL, NULL)
ON CONFLICT (session_id, child_id) DO UPDATE SET guardian_id = excluded.guardian_id, status = excluded.status,
   waitlist_seq = excluded.waitlist_seq, created_at = excluded.created_at, cancelled_at = excluded.cancelled_at,
   promoted_at = excluded.promoted_at, attendance_at = excluded.attendance_at, idempotency_key = excluded.idempotency_key
 WHERE bookings.status = 'cancelled' RETURNING *;
\endif
COMMIT;
