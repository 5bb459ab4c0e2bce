-- A counter per company that moves whenever one of its customers' stored JSON changes or the
-- customer goes, in the changing transaction, by any process (`Store::epochs`):
-- servers keep the customers that jobs, estimates and leads embed and trust them while it has
-- not moved (fieldwork-server's services/jobs/kept.rs). A new customer leaves it alone:
-- nothing kept can be stale for a customer no one has read, and creating customers never
-- waits on it. Split over 16 stripes (`seq % 16`, fixed per customer) like `job_start_days`,
-- so that concurrent changes of a company's customers rarely wait for one another's row; the
-- epoch is the stripes' sum, which moves whenever one of them does.
create table customer_epochs (
    company_id text not null,
    stripe smallint not null,
    n bigint not null,
    primary key (company_id, stripe)
);

create function bump_customer_epoch() returns trigger language plpgsql as $$
begin
    insert into customer_epochs (company_id, stripe, n) values (old.company_id, old.seq % 16, 1)
        on conflict (company_id, stripe) do update set n = customer_epochs.n + 1;
    return null;
end;
$$;

-- Every write of a customer or its addresses renders `doc` again; a customer stored before its
-- JSON was (`doc` null) is rendered from its columns, so any change of it counts.
create trigger customers_epoch_update after update on customers
    for each row when (old.doc is distinct from new.doc or new.doc is null)
    execute function bump_customer_epoch();
create trigger customers_epoch_delete after delete on customers
    for each row execute function bump_customer_epoch();
