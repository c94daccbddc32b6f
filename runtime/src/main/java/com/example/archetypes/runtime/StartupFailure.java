package com.example.archetypes.runtime;

import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says, in one line an operator can act on, why the service could not start when the cause is its
 * environment rather than its code: a database that cannot be reached, that refuses the user, or
 * that does not exist, or authentication settings missing. Anything else is left to Micronaut's report, stack trace and all.
 */
final class StartupFailure {

    private static final String OWN_PACKAGE = StartupFailure.class.getPackageName() + ".";
    private static final Pattern MYSQL_URL = Pattern.compile("jdbc:mysql://([^:/?]+)(?::(\\d+))?/([^?]*)");

    private StartupFailure() {
    }

    static Optional<String> explain(Environment environment, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Settings this library refuses (auth.AuthSettingsRejected): the message names them and the rule.
            if (cause instanceof ConfigurationException && cause.getClass().getName().startsWith(OWN_PACKAGE)) {
                return Optional.of(cause.getMessage());
            }
        }
        String url = environment.getProperty("datasources.default.url", String.class).orElse("");
        String user = environment.getProperty("datasources.default.username", String.class).orElse("");
        Matcher parts = MYSQL_URL.matcher(url);
        if (!parts.find()) {
            return Optional.empty();
        }
        String where = parts.group(1) + ":" + (parts.group(2) == null ? "3306" : parts.group(2));
        String database = parts.group(3);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException) {
                return Optional.of("Cannot reach the database at " + where + " (database " + database + "): "
                        + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                        + ". Check DB_HOST and DB_PORT, and that the database is running.");
            }
            if (cause instanceof SQLException sql && "28000".equals(sql.getSQLState())) {
                return Optional.of("The database at " + where + " refused user '" + user + "' (database "
                        + database + "): access denied. Check DB_USER and DB_PASSWORD.");
            }
            if (cause instanceof SQLException sql && "42000".equals(sql.getSQLState())
                    && String.valueOf(sql.getMessage()).contains("nknown database")) {
                return Optional.of("The database " + database + " does not exist at " + where + ", and user '"
                        + user + "' may not create it. Create it, or check DB_NAME.");
            }
        }
        return Optional.empty();
    }
}
