-- Operational read views; recreated whenever this file changes.
drop view if exists v_quote_operational_summary;

create view v_quote_operational_summary as
select
    q.id as quote_id,
    q.customer_id,
    q.state as quote_state,
    qr.revision_no,
    qr.state as revision_state,
    qr.price_snapshot_hash,
    q.updated_at
from quote q
join quote_revision qr on qr.quote_id = q.id
where qr.revision_no = (
    select max(qr2.revision_no)
    from quote_revision qr2
    where qr2.quote_id = q.id
);
