//! The PostgreSQL store of Fieldwork (being written).
