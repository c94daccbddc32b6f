package com.example.archetypes.runtime.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts behind {@link JobQueue}. Each one changes a job's record and moves the job between
 * the stream, the retry set and the dead-letter stream in one atomic step, so that a crash or a lost
 * connection between two commands can never drop a job or leave it in two places.
 *
 * <p>Every script that ends a run first checks that the worker still owns the stream entry (it is
 * in the consumer group's pending list under that worker's name): a worker whose job was taken over
 * while it was stalled can no longer change that job.
 */
final class QueueScripts {

    private QueueScripts() {
    }

    /** A script and its SHA-1, so that Redis is sent the digest and only once the whole text. */
    record Script(String name, String source, String sha1) {

        static Script of(String name, String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(name, source, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-1", e);
            }
        }
    }

    /** True when ARGV[3] (the consumer) holds stream entry ARGV[2] of group ARGV[1] in stream KEYS[2]. */
    private static final String OWNED = """
            local function owned()
              local entry = redis.call('XPENDING', KEYS[2], ARGV[1], ARGV[2], ARGV[2], 1)
              return #entry > 0 and entry[1][2] == ARGV[3]
            end
            """;

    /**
     * KEYS: record, stream, [idempotency key]. ARGV: id, type, payload, idempotency ttl seconds,
     * owner (who queued it).
     * Returns the id of the job: the new one, or the one queued earlier with the same idempotency key.
     * Records of unfinished jobs do not expire; the retention starts when a job ends.
     */
    static final Script ENQUEUE = Script.of("enqueue", """
            if KEYS[3] then
              local earlier = redis.call('GET', KEYS[3])
              if earlier then return earlier end
              redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[4])
            end
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'type', ARGV[2], 'payload', ARGV[3],
                       'status', 'QUEUED', 'attempts', 0, 'owner', ARGV[5])
            redis.call('XADD', KEYS[2], '*', 'job', ARGV[1])
            return ARGV[1]
            """);

    /**
     * KEYS: record, stream. ARGV: group, message id, consumer. Counts the attempt and marks the job
     * running. Returns {'ok', type, payload, attempt}, {'gone'} when the record no longer exists, or
     * {'lost'} when the consumer no longer holds the entry.
     */
    static final Script START = Script.of("start", OWNED + """
            if not owned() then return {'lost'} end
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
            local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
            redis.call('HSET', KEYS[1], 'status', 'RUNNING')
            local job = redis.call('HMGET', KEYS[1], 'type', 'payload')
            return {'ok', job[1] or '', job[2] or '', tostring(attempt)}
            """);

    /** KEYS: record, stream. ARGV: group, message id, consumer, ttl seconds, result. Returns 1, or 0 if lost. */
    static final Script COMPLETE = Script.of("complete", OWNED + """
            if not owned() then return 0 end
            redis.call('HSET', KEYS[1], 'status', 'DONE', 'result', ARGV[5])
            redis.call('HDEL', KEYS[1], 'error')
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """);

    /**
     * KEYS: record, stream, retry set. ARGV: group, message id, consumer, error, job id, delay ms.
     * Returns 1, or 0 if lost.
     */
    static final Script RETRY_LATER = Script.of("retry-later", OWNED + """
            if not owned() then return 0 end
            redis.call('HSET', KEYS[1], 'status', 'RETRYING', 'error', ARGV[4])
            local now = redis.call('TIME')
            local due = now[1] * 1000 + math.floor(now[2] / 1000) + tonumber(ARGV[6])
            redis.call('ZADD', KEYS[3], string.format('%d', due), ARGV[5])
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """);

    /**
     * KEYS: record, stream, dead-letter stream. ARGV: group, message id, consumer, ttl seconds, error,
     * job id, dead-letter max length. The dead-letter entry carries the payload, so the job can be
     * replayed after its record has expired. Returns 1, or 0 if lost.
     */
    static final Script DEAD_LETTER = Script.of("dead-letter", OWNED + """
            if not owned() then return 0 end
            redis.call('HSET', KEYS[1], 'status', 'FAILED', 'error', ARGV[5])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            local job = redis.call('HMGET', KEYS[1], 'type', 'payload', 'attempts')
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*',
                       'job', ARGV[6], 'type', job[1] or '', 'payload', job[2] or '',
                       'attempts', job[3] or '0', 'error', ARGV[5])
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """);

    /** KEYS: (unused), stream. ARGV: group, message id, consumer. Drops an entry whose record is gone. */
    static final Script DISCARD = Script.of("discard", OWNED + """
            if not owned() then return 0 end
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """);

    /**
     * KEYS: stream. ARGV: group, consumer, message ids... Renews the consumer's claim on each entry it
     * still holds (resetting its idle time, so no other worker takes it over) and returns the ids of
     * those it no longer holds. A claim that was lost is never taken back.
     */
    static final Script RENEW = Script.of("renew", """
            local lost = {}
            for i = 3, #ARGV do
              local entry = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
              if #entry > 0 and entry[1][2] == ARGV[2] then
                redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
              else
                table.insert(lost, ARGV[i])
              end
            end
            return lost
            """);

    /** KEYS: retry set, stream. ARGV: most jobs to move. Moves the jobs now due back to the stream. */
    static final Script PROMOTE_DUE_RETRIES = Script.of("promote-due-retries", """
            local now = redis.call('TIME')
            local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', nowMs),
                                   'LIMIT', 0, ARGV[1])
            for _, id in ipairs(due) do
              redis.call('ZREM', KEYS[1], id)
              redis.call('XADD', KEYS[2], '*', 'job', id)
            end
            return #due
            """);

    /**
     * KEYS: stream. ARGV: group, this consumer, idle ms. Removes the consumers that hold nothing and
     * have not read for longer than the idle time (workers that stopped), in one step, so a consumer
     * can never be removed between being looked at and taking a job. Returns how many it removed.
     */
    static final Script PRUNE_CONSUMERS = Script.of("prune-consumers", """
            local removed = 0
            for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
              local field = {}
              for i = 1, #consumer, 2 do field[consumer[i]] = consumer[i + 1] end
              if field['name'] ~= ARGV[2] and tonumber(field['pending']) == 0
                  and tonumber(field['idle']) > tonumber(ARGV[3]) then
                redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], field['name'])
                removed = removed + 1
              end
            end
            return removed
            """);

    /**
     * KEYS: the task's key. ARGV: interval ms. Time is cut into slots of one interval each, counted on
     * Redis's clock so that every worker agrees; the first worker to ask in a slot gets its number, any
     * later one -1. So a task runs once per interval however many workers ask, and as long as one
     * worker asks within each interval, no interval is skipped.
     */
    static final Script CLAIM_PERIODIC_SLOT = Script.of("claim-periodic-slot", """
            local now = redis.call('TIME')
            local slot = math.floor((tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)) / tonumber(ARGV[1]))
            local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
            if slot <= last then return -1 end
            redis.call('SET', KEYS[1], string.format('%d', slot), 'PX', tonumber(ARGV[1]) * 10)
            return slot
            """);

    /**
     * KEYS: workers (sorted set). ARGV: consumer, ms after which a silent worker's entry is dropped.
     * Records, on Redis's clock, that the consumer took or polled work now; drops workers long gone.
     */
    static final Script HEARTBEAT = Script.of("heartbeat", """
            local now = redis.call('TIME')
            local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
            redis.call('ZADD', KEYS[1], string.format('%d', nowMs), ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('(%d', nowMs - tonumber(ARGV[2])))
            return 1
            """);

    /**
     * KEYS: stream, retry set, dead-letter stream, workers. ARGV: group, ms within which a worker
     * counts as active. The queue's figures in one round trip, on Redis's clock: {waiting (not yet
     * delivered to any worker), running (delivered, not yet acknowledged), retrying, dead-lettered,
     * ms since the oldest waiting job entered the stream (0 when none waits), active workers}.
     * A stream entry's id starts with the ms at which it was added.
     */
    static final Script QUEUE_FIGURES = Script.of("queue-figures", """
            local now = redis.call('TIME')
            local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
            local retrying = redis.call('ZCARD', KEYS[2])
            local dead = 0
            if redis.call('EXISTS', KEYS[3]) == 1 then dead = redis.call('XLEN', KEYS[3]) end
            local workers = redis.call('ZCOUNT', KEYS[4], string.format('%d', nowMs - tonumber(ARGV[2])), '+inf')
            if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0, retrying, dead, 0, workers} end
            local lastDelivered = '0-0'
            local running = 0
            for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
              local field = {}
              for i = 1, #group, 2 do field[group[i]] = group[i + 1] end
              if field['name'] == ARGV[1] then
                lastDelivered = field['last-delivered-id']
                running = tonumber(field['pending'])
              end
            end
            local waiting = redis.call('XLEN', KEYS[1]) - running
            local age = 0
            local first = redis.call('XRANGE', KEYS[1], '(' .. lastDelivered, '+', 'COUNT', 1)
            if #first > 0 then
              age = math.max(0, nowMs - tonumber(string.match(first[1][1], '^(%d+)')))
            end
            return {math.max(0, waiting), running, retrying, dead, age, workers}
            """);
}
