-- Runs whose process stops sending heartbeats become CRASHED.
alter table run drop constraint run_status_check;
alter table run add constraint run_status_check check (status in ('RUNNING', 'COMPLETED', 'FAILED', 'CRASHED'));
alter table run add column last_heartbeat_at timestamptz;

-- The watchdog looks for silent RUNNING runs only.
create index run_heartbeat on run (last_heartbeat_at) where status = 'RUNNING';
