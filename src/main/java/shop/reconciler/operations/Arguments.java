package shop.reconciler.operations;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import shop.reconciler.outbox.NotificationStatus;

/**
 * What each command accepts, declared for picocli: {@link Cli} parses the command line into one
 * of these before Spring starts, so a usage error costs no database connection. Each class checks
 * what picocli's annotations cannot say in {@link Checked#check()}.
 */
final class Arguments {

    private Arguments() {}

    /** Options whose combination or range picocli cannot check by itself. */
    interface Checked {
        void check();
    }

    static final String REASON_HELP = "why, in your own words: kept in the audit trail (at most 1000 characters)";

    @Command(
            name = "serve",
            description = "run on reconciler.cron until SIGTERM; Actuator health and Prometheus on the management port")
    static final class Serve {}

    @Command(
            name = "run",
            description = "one job run now, under the lease (0 completed, 1 failed, 75 lease held elsewhere)")
    static final class Run {}

    @Command(name = "restart", description = "restart a failed, stopped or interrupted execution from where it stopped")
    static final class Restart implements Checked {
        @Parameters(arity = "0..1", paramLabel = "<executionId>", description = "the execution to restart")
        String executionId;

        @Option(names = "--last-failed", description = "the newest unfinished execution of the job")
        boolean lastFailed;

        @Option(names = "--reason", paramLabel = "TEXT", description = REASON_HELP)
        String reason;

        /** The id given, or null for {@code --last-failed}. */
        Long id() {
            return lastFailed ? null : executionId(executionId);
        }

        @Override
        public void check() {
            if (lastFailed == (executionId != null)) {
                throw new Cli.UsageException("usage: restart <executionId> | restart --last-failed");
            }
            id();
            checkReason(reason);
        }
    }

    /** A command that takes one execution id. */
    abstract static class OneExecution implements Checked {
        @Parameters(paramLabel = "<executionId>", description = "the execution's id (status lists them)")
        String executionId;

        @Option(names = "--reason", paramLabel = "TEXT", description = REASON_HELP)
        String reason;

        long id() {
            return executionId(executionId);
        }

        @Override
        public void check() {
            id();
            checkReason(reason);
        }
    }

    @Command(name = "stop", description = "stop a running execution at its next chunk boundary (from any node)")
    static final class Stop extends OneExecution {}

    @Command(name = "abandon", description = "mark a stopped or failed execution as never to be restarted")
    static final class Abandon extends OneExecution {}

    @Command(name = "status", description = "recent executions, lease, notifications, anomalies, stuck orders")
    static final class Status implements Checked {
        @Option(names = "--limit", paramLabel = "N", description = "executions to show, 1 to 1000 (default 10)")
        int limit = 10;

        @Option(names = "--json", description = "JSON instead of text")
        boolean json;

        @Override
        public void check() {
            limit(limit);
        }
    }

    @Command(name = "check", description = "database, schema, indexes, SMTP; one line each (0 all pass, 1 otherwise)")
    static final class Check {}

    @Command(
            name = "repair",
            description = "clear a failed migration from the schema history, so that the next start applies it"
                    + " again (0 repaired or nothing to repair, 1 failed)")
    static final class Repair {}

    @Command(name = "demo", description = "embedded demo shop, one run, emails as .eml files in target/demo-mail/")
    static final class Demo {}

    @Command(
            name = "explain",
            description = "why an order is still open, or which run completed it and what became of its email"
                    + " (0, 1 unknown order)")
    static final class Explain {
        @Parameters(paramLabel = "<orderCode>", description = "the order's code")
        String orderCode;

        @Option(names = "--json", description = "JSON instead of text")
        boolean json;
    }

    @Command(name = "notifications", description = "list notifications, newest first (0, 1 none matched)")
    static final class Notifications implements Checked {
        @Option(names = "--status", paramLabel = "S", description = "only this status: queued, sent, failed or skipped")
        NotificationStatus status;

        @Option(
                names = "--since",
                paramLabel = "D",
                converter = Since.Converter.class,
                description = "only those created since: a duration back (24h, 7d) or a date (2026-12-01[T10:00])")
        Since since;

        @Option(names = "--error-contains", paramLabel = "X", description = "only those whose last error contains X")
        String errorContains;

        @Option(names = "--limit", paramLabel = "N", description = "at most N, 1 to 1000 (default 50)")
        int limit = 50;

        @Option(names = "--json", description = "JSON instead of text")
        boolean json;

        @Override
        public void check() {
            limit(limit);
            if (errorContains != null && errorContains.isEmpty()) {
                throw new Cli.UsageException("--error-contains takes some text");
            }
        }
    }

    @Command(
            name = "requeue",
            description = "put failed (or, with --skipped, skipped) notifications back in the queue: by order code or"
                    + " by filter; never a sent or queued one, and one with deliveries of unknown outcome only with"
                    + " --uncertain (0, 1 none matched)")
    static final class Requeue implements Checked {
        @Parameters(arity = "0..*", paramLabel = "<orderCode>", description = "orders whose notification to requeue")
        List<String> orderCodes = new ArrayList<>();

        @Option(names = "--failed", description = "every failed notification (narrowed by --since, --error-contains)")
        boolean failed;

        @Option(
                names = "--skipped",
                description = "skipped ones too (backlog past reconciler.mail.max-age): only when asked")
        boolean skipped;

        @Option(
                names = "--uncertain",
                description = "ones with deliveries of unknown outcome too (the customer may have the email"
                        + " already: check the mail server's log for its Message-ID first); each gets exactly one"
                        + " more delivery. Alone: only those")
        boolean uncertain;

        @Option(
                names = "--since",
                paramLabel = "D",
                converter = Since.Converter.class,
                description = "only those that failed (last changed) since: a duration back (24h, 7d) or a date"
                        + " (2026-12-01[T10:00])")
        Since since;

        @Option(names = "--error-contains", paramLabel = "X", description = "only those whose last error contains X")
        String errorContains;

        @Option(names = "--dry-run", description = "show what would change, change nothing")
        boolean dryRun;

        @Option(
                names = "--limit",
                paramLabel = "N",
                description = "by filter: lines shown, 1 to 1000 (default 50); the counts cover every row")
        int limit = 50;

        @Option(names = "--reason", paramLabel = "TEXT", description = REASON_HELP)
        String reason;

        @Option(names = "--json", description = "JSON instead of text")
        boolean json;

        boolean byFilter() {
            return orderCodes.isEmpty();
        }

        @Override
        public void check() {
            if (orderCodes.isEmpty() && !failed && !skipped && !uncertain) {
                throw new Cli.UsageException("usage: requeue <orderCode>... [--uncertain] | requeue --failed"
                        + " [--skipped] [--uncertain] [--since D] [--error-contains X] [--dry-run] [--limit N]");
            }
            if (!orderCodes.isEmpty() && (failed || since != null || errorContains != null)) {
                throw new Cli.UsageException(
                        "requeue takes order codes or a filter (--failed, --since, --error-contains), not both");
            }
            if (errorContains != null && errorContains.isEmpty()) {
                throw new Cli.UsageException("--error-contains takes some text");
            }
            limit(limit);
            checkReason(reason);
        }
    }

    @Command(name = "audit", description = "the operator actions recorded, newest first: who, what, when, outcome (0)")
    static final class Audit implements Checked {
        @Option(names = "--limit", paramLabel = "N", description = "rows to show, 1 to 1000 (default 50)")
        int limit = 50;

        @Option(names = "--json", description = "JSON instead of text")
        boolean json;

        @Override
        public void check() {
            limit(limit);
        }
    }

    @Command(
            name = "plan",
            description = "what a run would do now: orders it would complete, emails, anomalies, stuck orders;"
                    + " writes nothing (0)")
    static final class Plan implements Checked {
        @Option(
                names = "--limit",
                paramLabel = "N",
                description = "order codes listed per group, 1 to 1000 (default 10)")
        int limit = 10;

        @Option(names = "--json", description = "JSON instead of text")
        boolean json;

        @Override
        public void check() {
            limit(limit);
        }
    }

    @Command(
            name = "completion",
            description = "a bash (and zsh) completion script for jobs/reconcile-orders:"
                    + " source <(jobs/reconcile-orders completion)")
    static final class Completion {}

    @Command(name = "help", description = "this help, or a command's: help <command>")
    static final class Help {
        @Parameters(arity = "0..1", paramLabel = "<command>", description = "the command to explain")
        String command;
    }

    static void limit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new Cli.UsageException("--limit takes a number from 1 to 1000, got '" + limit + "'");
        }
    }

    static void checkReason(String reason) {
        String problem = shop.reconciler.audit.Actor.problemWith(reason);
        if (problem != null) {
            throw new Cli.UsageException("--reason: " + problem);
        }
    }

    static long executionId(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Cli.UsageException("'" + value + "' is not an execution id");
        }
    }
}
