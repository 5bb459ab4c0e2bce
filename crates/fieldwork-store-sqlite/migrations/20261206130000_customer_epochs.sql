-- A second counter per company that moves whenever one of its customers' stored JSON changes
-- or goes (an update or a delete of a `customer_docs` row, or a customer row), in the changing
-- transaction, by any process. Servers keep the customers that jobs, estimates and leads embed
-- and trust them while it has not moved (fieldwork-server's services/jobs/kept.rs).
-- A customer's every write renders its JSON again (`insert or replace`, which fires no delete
-- trigger), so a replaced row is caught before the insert; a new customer leaves the counter
-- alone: nothing kept can be stale for a customer no one has read.
-- The counter row is made with `insert … where not exists`, not `insert or ignore`: a trigger's
-- statements take the conflict policy of the statement that fired it, and under the writes'
-- `insert or replace` an `or ignore` would replace the row, resetting both counters.
alter table reference_epochs add column customers integer not null default 0;

create trigger customer_docs_epoch_replace before insert on customer_docs
    when exists (select 1 from customer_docs where seq = new.seq)
begin
    insert into reference_epochs (company_id, n) select new.company_id, 0
        where not exists (select 1 from reference_epochs where company_id = new.company_id);
    update reference_epochs set customers = customers + 1 where company_id = new.company_id;
end;
create trigger customer_docs_epoch_update after update on customer_docs begin
    insert into reference_epochs (company_id, n) select new.company_id, 0
        where not exists (select 1 from reference_epochs where company_id = new.company_id);
    update reference_epochs set customers = customers + 1
        where company_id in (old.company_id, new.company_id);
end;
create trigger customer_docs_epoch_delete after delete on customer_docs begin
    update reference_epochs set customers = customers + 1 where company_id = old.company_id;
end;
-- Customers stored before their JSON was (no `customer_docs` row) are rendered from their
-- columns; their first write after that inserts the row, which is not a replace.
create trigger customers_epoch_update after update on customers begin
    insert into reference_epochs (company_id, n) select new.company_id, 0
        where not exists (select 1 from reference_epochs where company_id = new.company_id);
    update reference_epochs set customers = customers + 1
        where company_id in (old.company_id, new.company_id);
end;
create trigger customers_epoch_delete after delete on customers begin
    update reference_epochs set customers = customers + 1 where company_id = old.company_id;
end;
