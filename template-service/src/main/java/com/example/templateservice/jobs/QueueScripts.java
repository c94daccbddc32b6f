package com.example.templateservice.jobs;

/**
 * The Lua scripts behind {@link JobQueue}. Each one changes a job's record and moves it between
 * the stream, the retry set and the dead-letter stream in one atomic step, so that a crash or a
 * lost connection between two commands can never drop a job or leave it in two places.
 */
final class QueueScripts {

    private QueueScripts() {
    }

    /** KEYS: record, stream. ARGV: id, type, payload, ttl seconds. */
    static final String ENQUEUE = """
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'type', ARGV[2], 'payload', ARGV[3],
                       'status', 'QUEUED', 'attempts', 0)
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('XADD', KEYS[2], '*', 'job', ARGV[1])
            return 1
            """;

    /** KEYS: record. ARGV: ttl seconds. Returns the record after counting the attempt, or nil. */
    static final String START = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return false end
            redis.call('HSET', KEYS[1], 'status', 'RUNNING')
            redis.call('HINCRBY', KEYS[1], 'attempts', 1)
            redis.call('EXPIRE', KEYS[1], ARGV[1])
            return redis.call('HGETALL', KEYS[1])
            """;

    /** KEYS: record, stream. ARGV: group, message id, ttl seconds, result. */
    static final String COMPLETE = """
            redis.call('HSET', KEYS[1], 'status', 'DONE', 'result', ARGV[4])
            redis.call('HDEL', KEYS[1], 'error')
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """;

    /** KEYS: record, stream, retry set. ARGV: group, message id, ttl seconds, error, job id, delay ms. */
    static final String RETRY_LATER = """
            redis.call('HSET', KEYS[1], 'status', 'RETRYING', 'error', ARGV[4])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            local now = redis.call('TIME')
            local due = now[1] * 1000 + math.floor(now[2] / 1000) + tonumber(ARGV[6])
            redis.call('ZADD', KEYS[3], string.format('%d', due), ARGV[5])
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """;

    /**
     * KEYS: record, stream, dead-letter stream. ARGV: group, message id, ttl seconds, error, job id,
     * dead-letter max length. The dead-letter entry carries the payload, so the job can be replayed
     * after its record has expired.
     */
    static final String DEAD_LETTER = """
            redis.call('HSET', KEYS[1], 'status', 'FAILED', 'error', ARGV[4])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            local job = redis.call('HMGET', KEYS[1], 'type', 'payload', 'attempts')
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*',
                       'job', ARGV[5], 'type', job[1] or '', 'payload', job[2] or '',
                       'attempts', job[3] or '0', 'error', ARGV[4])
            redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
            redis.call('XDEL', KEYS[2], ARGV[2])
            return 1
            """;

    /** KEYS: retry set, stream. ARGV: most jobs to move. Moves the jobs now due back to the stream. */
    static final String PROMOTE_DUE_RETRIES = """
            local now = redis.call('TIME')
            local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', nowMs),
                                   'LIMIT', 0, ARGV[1])
            for _, id in ipairs(due) do
              redis.call('ZREM', KEYS[1], id)
              redis.call('XADD', KEYS[2], '*', 'job', id)
            end
            return #due
            """;
}
