-- storage-engine catalog, version 1: timelines, the segment map, committed Kafka offsets,
-- partition leases (fencing), compaction history, and a change counter for cheap polling.

CREATE TABLE timelines (
    tenant_id        text        NOT NULL CHECK (length(tenant_id) = 32),
    timeline_id      text        NOT NULL CHECK (length(timeline_id) = 32),
    first_seen       timestamptz NOT NULL DEFAULT now(),
    last_seen        timestamptz NOT NULL DEFAULT now(),
    gc_horizon_lsn   bigint      NOT NULL DEFAULT 0,
    last_applied_lsn bigint,
    PRIMARY KEY (tenant_id, timeline_id)
);

CREATE TABLE segments (
    id           bigserial   PRIMARY KEY,
    name         text        NOT NULL UNIQUE,
    kind         text        NOT NULL CHECK (kind IN ('DELTA', 'IMAGE')),
    level        int         NOT NULL CHECK (level >= 0),
    partition    int         NOT NULL,
    min_key      bytea       NOT NULL,
    max_key      bytea       NOT NULL,
    min_lsn      bigint      NOT NULL,
    max_lsn      bigint      NOT NULL,
    size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
    record_count bigint      NOT NULL CHECK (record_count > 0),
    store        text        NOT NULL,
    location     text        NOT NULL,
    state        text        NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'RETIRED', 'DELETED')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    retired_at   timestamptz,
    deleted_at   timestamptz,
    offset_start bigint,
    offset_end   bigint,
    CHECK (offset_start IS NULL OR offset_end >= offset_start)
);
CREATE INDEX segments_active_by_partition ON segments (partition, level) WHERE state = 'ACTIVE';
CREATE INDEX segments_retired_by_time ON segments (retired_at) WHERE state = 'RETIRED';

CREATE TABLE partition_offsets (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      int         NOT NULL,
    next_offset    bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

CREATE TABLE partition_leases (
    partition   int         PRIMARY KEY,
    owner_id    text        NOT NULL,
    epoch       bigint      NOT NULL CHECK (epoch > 0),
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

CREATE TABLE compaction_jobs (
    id         uuid        PRIMARY KEY,
    kind       text        NOT NULL,
    partition  int         NOT NULL,
    owner_id   text        NOT NULL,
    epoch      bigint      NOT NULL,
    inputs     text[]      NOT NULL DEFAULT '{}',
    outputs    text[]      NOT NULL DEFAULT '{}',
    bytes_in   bigint      NOT NULL DEFAULT 0,
    bytes_out  bigint      NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at   timestamptz,
    status     text        NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    error      text
);
CREATE INDEX compaction_jobs_by_partition ON compaction_jobs (partition, started_at DESC);

CREATE TABLE catalog_state (
    id               int    PRIMARY KEY CHECK (id = 1),
    segments_version bigint NOT NULL
);
INSERT INTO catalog_state (id, segments_version) VALUES (1, 0);
