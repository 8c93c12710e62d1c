-- Why a run FAILED, as its script reported it: {"type", "message", "traceback"} (docs/api.md, "Runs that stop").
alter table run add column failure jsonb;
