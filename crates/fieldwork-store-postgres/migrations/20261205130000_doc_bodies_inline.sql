-- Document bodies stay in their rows, uncompressed, up to a whole page: a job with five line
-- items is ~2.4 kB, past the 2 kB at which PostgreSQL otherwise compresses a row's values and
-- moves them to the TOAST table, so every job a list read cost a TOAST index lookup and a
-- decompression (BENCHMARKS.md, issue 4). Rows written before this keep their TOASTed bodies
-- until their next update.
alter table jobs set (toast_tuple_target = 8160);
alter table estimates set (toast_tuple_target = 8160);
alter table leads set (toast_tuple_target = 8160);
alter table invoices set (toast_tuple_target = 8160);
alter table events set (toast_tuple_target = 8160);
