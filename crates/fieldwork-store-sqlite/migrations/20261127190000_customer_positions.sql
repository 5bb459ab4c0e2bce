-- A customer's place in its company's creation order: 1, 2, 3, … A company's customers are
-- created in `(created_at, seq)` order (`customers::write::create`) and never deleted, so page
-- N of the default list order is the positions (N-1)·size+1 … N·size: a seek on the index
-- below instead of skipping (N-1)·size entries of `customers_company_created` (2 ms of a
-- mid page's 2.1 ms at 100,000 customers). The list checks that a company's positions are
-- still dense (highest = count) before it relies on them.
alter table customers add column position integer;
update customers set position = ranked.n
    from (select seq, row_number() over (partition by company_id order by created_at, seq) as n
          from customers) as ranked
    where customers.seq = ranked.seq;
create unique index customers_company_position on customers (company_id, position);
