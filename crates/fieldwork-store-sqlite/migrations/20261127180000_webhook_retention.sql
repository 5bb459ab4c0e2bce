-- Webhook retention: old messages are found by age, and their attempts by message.
create index webhook_messages_created on webhook_messages (created_at);
create index webhook_attempts_message on webhook_attempts (message_id);
