-- One open invoice per (store, external_order_id): claimed with the InvoiceCreated append, released in the
-- same transaction as the event that makes the invoice final.
CREATE TABLE open_external_order_id (
    store_id          VARCHAR(64)  NOT NULL,
    external_order_id VARCHAR(255) NOT NULL,
    invoice_id        VARCHAR(64)  NOT NULL,
    PRIMARY KEY (store_id, external_order_id)
);

-- db-scheduler's table (version 16): Axon's durable deadline manager keeps invoice expiries here, so
-- they survive restarts and fire once across instances.
CREATE TABLE scheduled_tasks (
    task_name            TEXT                     NOT NULL,
    task_instance        TEXT                     NOT NULL,
    task_data            BYTEA,
    execution_time       TIMESTAMP WITH TIME ZONE NOT NULL,
    picked               BOOLEAN                  NOT NULL,
    picked_by            TEXT,
    last_success         TIMESTAMP WITH TIME ZONE,
    last_failure         TIMESTAMP WITH TIME ZONE,
    consecutive_failures INT,
    last_heartbeat       TIMESTAMP WITH TIME ZONE,
    version              BIGINT                   NOT NULL,
    priority             SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
