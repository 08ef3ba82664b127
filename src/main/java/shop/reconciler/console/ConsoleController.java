package shop.reconciler.console;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import shop.reconciler.audit.Actor;
import shop.reconciler.audit.AuditEntry;
import shop.reconciler.operations.ActionOutcome;
import shop.reconciler.operations.AuditLog;
import shop.reconciler.operations.ExecutionAction;
import shop.reconciler.operations.ExecutionView;
import shop.reconciler.operations.ExplainService;
import shop.reconciler.operations.NotificationView;
import shop.reconciler.operations.NotificationsService;
import shop.reconciler.operations.RequeueService;
import shop.reconciler.operations.RestartService;
import shop.reconciler.operations.Since;
import shop.reconciler.operations.StatusReport;
import shop.reconciler.operations.StopService;
import shop.reconciler.security.ManagementAccounts;
import shop.reconciler.text.Ago;
import shop.reconciler.text.Durations;

/**
 * The web console: what {@code status}, {@code explain}, {@code notifications} and the backlog
 * gauges compute (their own beans, not a second implementation), as server-rendered pages, and the
 * operator's actions through the commands' own methods: {@code requeue}, and {@code restart},
 * {@code stop}, {@code abandon} of an execution ({@link ExecutionAction} says which apply), each
 * recorded in the audit trail with the account and an optional reason. The audit trail is shown,
 * read-only ({@code /console/audit}); the console appends to it only through those actions.
 */
@Controller
@RequestMapping("/console")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "reconciler.console", name = "enabled", havingValue = "true", matchIfMissing = true)
class ConsoleController {

    private static final Logger log = LoggerFactory.getLogger(ConsoleController.class);
    /** The notifications page shows at most this many rows, newest first. */
    static final int LIST_LIMIT = 200;
    /** The audit page shows at most this many rows, newest first. */
    static final int AUDIT_LIMIT = 200;

    private static final MediaType HTML = new MediaType("text", "html", java.nio.charset.StandardCharsets.UTF_8);

    private final ConsolePages pages = new ConsolePages();
    private final StatusReport status;
    private final ExplainService explain;
    private final RequeueService requeue;
    private final NotificationsService notifications;
    private final StopService stop;
    private final RestartService restart;
    private final ObjectProvider<HealthEndpoint> health;
    private final AuditLog audit;
    private final boolean actions;

    ConsoleController(
            StatusReport status,
            ExplainService explain,
            RequeueService requeue,
            NotificationsService notifications,
            StopService stop,
            RestartService restart,
            ObjectProvider<HealthEndpoint> health,
            ConsoleProperties properties,
            ManagementAccounts accounts,
            AuditLog audit) {
        this.audit = audit;
        this.status = status;
        this.explain = explain;
        this.requeue = requeue;
        this.notifications = notifications;
        this.stop = stop;
        this.restart = restart;
        this.health = health;
        this.actions = properties.actions() && accounts.operatorConfigured();
    }

    @GetMapping("/login")
    ResponseEntity<String> login(HttpServletRequest request) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Sign in");
        model.put("csrf", request.getAttribute(CsrfToken.class.getName()));
        model.put("error", request.getParameter("error") != null);
        model.put("out", request.getParameter("out") != null);
        return html(pages.render("login", model));
    }

    /**
     * The overview ({@link StatusReport#overview}): anomalies and stuck orders as the last reconcile
     * step counted them, the other counts as the backlog gauges last read them (read again only
     * after an execution ended), the last executions (one query for them, one for their steps) and
     * the lease row; nothing that scans the shop per page. {@code ?live} counts anomalies and stuck
     * orders now, and takes the gauges' figures read within their refresh: a pass over every
     * processing order.
     */
    @GetMapping({"", "/"})
    ResponseEntity<String> overview(HttpServletRequest request, Authentication who) {
        Map<String, Object> model = base("Overview", request, who);
        HealthEndpoint endpoint = health.getIfAvailable();
        String healthStatus =
                endpoint == null ? "unknown" : endpoint.health().getStatus().getCode();
        model.put("health", healthStatus);
        model.put("healthUp", "UP".equals(healthStatus));
        boolean live = request.getParameter("live") != null;
        StatusReport.Overview s = status.overview(10, live);
        model.put("lease", s.lease());
        model.put("leaseHeld", "held".equals(s.lease().state()));
        model.put("leaseSince", ConsolePages.when(s.lease().lockedAt()));
        model.put("leaseUntil", ConsolePages.when(s.lease().until()));
        model.put("countedLive", s.counted().live());
        model.put("countedBy", s.counted().execution());
        model.put("countedAt", ConsolePages.when(s.counted().asOf()));
        StatusReport.Freshness f = s.freshness();
        if (f != null) {
            Map<String, Object> freshness = new LinkedHashMap<>();
            freshness.put(
                    "lastCompleted",
                    f.lastCompletedAge() == null
                            ? UNKNOWN_AGE
                            : Ago.of(f.lastCompletedAge().getSeconds()) + " ago");
            freshness.put("finishedPending", ConsolePages.number(f.finishedNotCompleted()));
            freshness.put(
                    "oldestQueued",
                    f.oldestQueuedAge() == null
                            ? UNKNOWN_AGE
                            : f.oldestQueuedAge().isZero()
                                    ? "none queued"
                                    : Ago.of(f.oldestQueuedAge().getSeconds()));
            freshness.put("stuck", ConsolePages.number(f.stuck()));
            freshness.put("refresh", Durations.format(f.refresh()));
            freshness.put(
                    "read",
                    f.readAgo() == null
                            ? "not read: the database did not answer"
                            : "read " + Ago.of(f.readAgo().getSeconds()) + " ago");
            model.put("freshness", freshness);
        }
        model.put(
                "executions",
                s.executions().stream().map(ConsoleController::execution).toList());
        model.put("noExecutions", s.executions().isEmpty());
        List<Map<String, Object>> counts = new ArrayList<>();
        s.notifications().forEach((k, v) -> counts.add(Map.of("status", k, "count", ConsolePages.number(v))));
        model.put("notificationCounts", counts);
        model.put("oldestQueued", ConsolePages.when(s.oldestQueued()));
        model.put("uncertain", ConsolePages.number(s.uncertain()));
        model.put("anomalies", ConsolePages.number(s.anomalies().count()));
        model.put("anomalyCodes", orderLinks(s.anomalies().first()));
        model.put("stuck", ConsolePages.number(s.stuck().count()));
        model.put("stuckAfter", Durations.format(s.stuckAfter()));
        model.put("stuckCodes", orderLinks(s.stuck().first()));
        model.put("writeFailures", ConsolePages.number(s.writeFailures()));
        model.put("orphaned", s.orphaned());
        model.put("chart", Chart.of(s.executions()));
        return html(pages.render("overview", model));
    }

    @GetMapping("/executions/{id:[0-9]+}")
    ResponseEntity<String> execution(@PathVariable long id, HttpServletRequest request, Authentication who) {
        Map<String, Object> model = base("Execution " + id, request, who);
        model.put("result", takeResult(request));
        Optional<ExecutionView> found = status.execution(id);
        if (found.isEmpty()) {
            model.put("notFound", true);
            return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(HTML).body(pages.render("execution", model));
        }
        Map<String, Object> execution = execution(found.get());
        if (Boolean.TRUE.equals(model.get("canAct"))) {
            BatchStatus state = BatchStatus.valueOf(found.get().status());
            boolean leaseFree = !"held".equals(status.lease().state());
            List<Map<String, Object>> offered = new ArrayList<>();
            for (ExecutionAction action : ExecutionAction.values()) {
                if (action.allows(state, leaseFree)) {
                    offered.add(Map.of(
                            "action",
                            action.word(),
                            "label",
                            action.word().substring(0, 1).toUpperCase(Locale.ROOT)
                                    + action.word().substring(1)));
                }
            }
            model.put("actions", offered);
            model.put("hasActions", !offered.isEmpty());
        }
        model.put("execution", execution);
        return html(pages.render("execution", model));
    }

    /**
     * Restart, stop or abandon: the command's own method, its one line shown, logged and recorded
     * in the audit trail.
     */
    @PostMapping("/actions/executions/{id:[0-9]+}/{action:restart|stop|abandon}")
    ResponseEntity<String> executionAction(
            @PathVariable long id,
            @PathVariable String action,
            @RequestParam(name = "reason", required = false) String reason,
            HttpServletRequest request,
            Principal who) {
        if (!actions) {
            return readOnly();
        }
        String user = who.getName();
        String problem = Actor.problemWith(reason);
        if (problem != null) {
            request.getSession().setAttribute("console.result", List.of("not done: " + problem));
        } else {
            Actor actor = Actor.console(user, reason);
            ExecutionAction asked = ExecutionAction.valueOf(action.toUpperCase(Locale.ROOT));
            ActionOutcome outcome = switch (asked) {
                case STOP, ABANDON -> stop.apply(asked, id, actor);
                case RESTART ->
                    restart.restartInBackground(
                            id, line -> log.info("console restart of execution {} by {}: {}", id, user, line), actor);
            };
            request.getSession().setAttribute("console.result", List.of(outcome.line()));
        }
        return ResponseEntity.status(HttpStatus.SEE_OTHER)
                .header("Location", request.getContextPath() + "/console/executions/" + id)
                .build();
    }

    @GetMapping("/orders")
    ResponseEntity<String> order(
            @RequestParam(name = "code", required = false) String code,
            HttpServletRequest request,
            Authentication who) {
        Map<String, Object> model = base("Order lookup", request, who);
        model.put("code", code);
        if (code != null && !code.isBlank()) {
            Optional<ExplainService.Explanation> e = explain.explain(code.strip());
            model.put("notFound", e.isEmpty());
            e.ifPresent(x -> {
                model.put("order", x);
                // keys that the explanation's own fields (tasks, notListed) would shadow inside {{#order}}
                model.put(
                        "moreTasks",
                        x.notListed() > 0
                                ? Map.of(
                                        "count",
                                        ConsolePages.number(x.notListed()),
                                        "total",
                                        ConsolePages.number(x.taskCount()))
                                : null);
                model.put("verdict", x.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                model.put(
                        "taskRows",
                        x.tasks().stream()
                                .map(t -> Map.of(
                                        "id", t.id(),
                                        "title", String.valueOf(t.title()),
                                        "status", String.valueOf(t.status()),
                                        "state", t.state().name().toLowerCase(Locale.ROOT),
                                        "ago", Ago.of(t.changedSecondsAgo()),
                                        "stuck", t.stuck()))
                                .toList());
                if (x.notification() != null) {
                    model.put("notification", notification(x.notification()));
                }
            });
        }
        return html(pages.render("order", model));
    }

    @GetMapping("/notifications")
    ResponseEntity<String> notifications(
            @RequestParam(name = "status", required = false) String statusCode,
            @RequestParam(name = "since", required = false) String sinceText,
            @RequestParam(name = "error", required = false) String errorText,
            @RequestParam(name = "before", required = false) Long before,
            HttpServletRequest request,
            Authentication who) {
        NotificationView.Status wanted = NotificationView.Status.ofCode(statusCode);
        Map<String, Object> model = base("Notifications", request, who);
        List<Map<String, Object>> filters = new ArrayList<>();
        filters.add(Map.of("code", "", "label", "any status", "selected", wanted == null));
        for (NotificationView.Status candidate : NotificationView.Status.values()) {
            filters.add(Map.of("code", candidate.code(), "label", candidate.code(), "selected", candidate == wanted));
        }
        model.put("filters", filters);
        String sinceValue = sinceText == null ? "" : sinceText.strip();
        String errorValue = errorText == null || errorText.isBlank() ? null : errorText;
        model.put("since", sinceValue);
        model.put("error", errorValue);
        Since since = null;
        if (!sinceValue.isEmpty()) {
            try {
                since = notifications.fromUtc(Since.parse(sinceValue));
            } catch (Since.Invalid e) {
                model.put("sinceInvalid", e.getMessage());
            }
        }
        List<NotificationView> rows = model.containsKey("sinceInvalid")
                ? List.of()
                : notifications.list(new NotificationsService.Filter(wanted, since, errorValue, LIST_LIMIT, before));
        model.put("rows", rows.stream().map(ConsoleController::notification).toList());
        model.put("none", rows.isEmpty());
        model.put("limited", rows.size() == LIST_LIMIT ? ConsolePages.number(LIST_LIMIT) : null);
        model.put("paged", before != null);
        if (rows.size() == LIST_LIMIT) {
            Map<String, Object> older = new LinkedHashMap<>();
            older.put("status", wanted == null ? "" : wanted.code());
            older.put("since", java.net.URLEncoder.encode(sinceValue, java.nio.charset.StandardCharsets.UTF_8));
            older.put(
                    "error",
                    errorValue == null
                            ? ""
                            : java.net.URLEncoder.encode(errorValue, java.nio.charset.StandardCharsets.UTF_8));
            older.put("before", rows.get(rows.size() - 1).id());
            model.put("older", older);
        }
        model.put("result", takeResult(request));
        return html(pages.render("notifications", model));
    }

    /**
     * Requeue by order code, as {@code requeue <orderCode>...}: a notification with deliveries of
     * unknown outcome only when {@code uncertain} asks for it (the page's second button, which says
     * what to check first), and then for exactly one more delivery.
     */
    @PostMapping("/actions/requeue")
    ResponseEntity<String> requeue(
            @RequestParam("order") List<String> orderCodes,
            @RequestParam(name = "uncertain", defaultValue = "false") boolean uncertain,
            @RequestParam(name = "reason", required = false) String reason,
            HttpServletRequest request,
            Principal who) {
        if (!actions) {
            return readOnly();
        }
        String problem = Actor.problemWith(reason);
        if (problem != null) {
            request.getSession().setAttribute("console.result", List.of("not requeued: " + problem));
            return ResponseEntity.status(HttpStatus.SEE_OTHER)
                    .header("Location", request.getContextPath() + "/console/notifications?status=failed")
                    .build();
        }
        RequeueService.Result result =
                requeue.requeueOrders(orderCodes, uncertain, Actor.console(who.getName(), reason));
        request.getSession()
                .setAttribute(
                        "console.result",
                        java.util.stream.Stream.concat(
                                        result.lines().stream()
                                                .map(l -> l.outcome()
                                                                .name()
                                                                .toLowerCase(Locale.ROOT)
                                                                .replace('_', ' ') + " " + l.orderCode() + ": "
                                                        + l.detail()),
                                        java.util.stream.Stream.of(result.summary()))
                                .toList());
        return ResponseEntity.status(HttpStatus.SEE_OTHER)
                .header("Location", request.getContextPath() + "/console/notifications?status=queued")
                .build();
    }

    /** The audit trail, newest first, read-only. */
    @GetMapping("/audit")
    ResponseEntity<String> audit(HttpServletRequest request, Authentication who) {
        Map<String, Object> model = base("Audit trail", request, who);
        List<AuditEntry> entries = audit.recent(AUDIT_LIMIT);
        model.put("entries", entries.stream().map(ConsoleController::auditEntry).toList());
        model.put("none", entries.isEmpty());
        model.put("limited", entries.size() == AUDIT_LIMIT ? ConsolePages.number(AUDIT_LIMIT) : null);
        return html(pages.render("audit", model));
    }

    private static Map<String, Object> auditEntry(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("when", e.actedAt() == null ? null : ConsolePages.when(e.actedAt()));
        m.put("actor", e.actor());
        m.put("channel", e.channel());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("outcome", e.outcome());
        m.put("reason", e.reason());
        return m;
    }

    @GetMapping("/assets/{name:[a-z]+\\.(?:js|css)}")
    @ResponseBody
    ResponseEntity<byte[]> asset(@PathVariable String name) throws Exception {
        ClassPathResource resource = new ClassPathResource("console/assets/" + name);
        if (!resource.exists()) {
            return ResponseEntity.notFound().build();
        }
        MediaType type = name.endsWith(".js") ? new MediaType("text", "javascript") : new MediaType("text", "css");
        return ResponseEntity.ok()
                .contentType(type)
                .header("Cache-Control", "max-age=3600")
                .body(resource.getInputStream().readAllBytes());
    }

    private static ResponseEntity<String> readOnly() {
        return ResponseEntity.status(HttpStatus.FORBIDDEN)
                .contentType(HTML)
                .body("The console is read-only: reconciler.console.actions is off or no operator account is"
                        + " configured.");
    }

    /** The outcome lines of the action that redirected here, shown once. */
    private static Object takeResult(HttpServletRequest request) {
        jakarta.servlet.http.HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        Object result = session.getAttribute("console.result");
        session.removeAttribute("console.result");
        return result;
    }

    private static final String UNKNOWN_AGE = "unknown (the database has not answered yet)";

    private Map<String, Object> base(String title, HttpServletRequest request, Authentication who) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", title);
        model.put("user", who.getName());
        boolean operator = who.getAuthorities().stream()
                .anyMatch(a -> ("ROLE_" + ManagementAccounts.OPERATOR).equals(a.getAuthority()));
        model.put("role", operator ? ManagementAccounts.OPERATOR : ManagementAccounts.VIEWER);
        model.put("canAct", actions && operator);
        model.put("readOnly", !actions);
        model.put("csrf", request.getAttribute(CsrfToken.class.getName()));
        return model;
    }

    private static Map<String, Object> execution(ExecutionView e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("instanceId", e.instanceId());
        m.put("status", e.status());
        m.put("failed", "FAILED".equals(e.status()));
        m.put("exit", e.exitCode() + ("COMPLETED".equals(e.exitCode()) ? "" : " " + e.exitDescription()));
        m.put("start", ConsolePages.when(e.start()));
        m.put("duration", ConsolePages.millis(e.durationMs()));
        m.put(
                "steps",
                e.steps().stream()
                        .map(st -> Map.of(
                                "name", st.name(),
                                "status", st.status(),
                                "read", ConsolePages.number(st.read()),
                                "filtered", ConsolePages.number(st.filtered()),
                                "written", ConsolePages.number(st.written()),
                                "skipped", ConsolePages.number(st.skipped()),
                                "duration", ConsolePages.millis(st.durationMs())))
                        .toList());
        m.put(
                "stepMessages",
                e.steps().stream()
                        .filter(st -> st.exitDescription() != null
                                && !st.exitDescription().isBlank())
                        .map(st -> Map.of("name", st.name(), "message", st.exitDescription()))
                        .toList());
        return m;
    }

    private static Map<String, Object> notification(NotificationView r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orderCode", r.orderCode());
        m.put("orderQuery", query(r.orderCode()));
        m.put("recipient", r.recipient());
        m.put("status", r.status());
        boolean failed = r.is(NotificationView.Status.FAILED);
        m.put("failed", failed);
        m.put("plainRequeue", failed && r.uncertainDeliveries() == 0);
        m.put("uncertainRequeue", failed && r.uncertainDeliveries() > 0);
        m.put("attempts", ConsolePages.number(r.attempts()));
        m.put("uncertain", r.uncertainDeliveries() > 0 ? ConsolePages.number(r.uncertainDeliveries()) : null);
        m.put("lastError", r.lastError());
        m.put("messageId", r.messageId());
        m.put("queued", ConsolePages.when(r.createdAt()));
        m.put("sent", ConsolePages.when(r.sentAt()));
        return m;
    }

    /**
     * An order code as a query parameter's value: any character its column admits ({@code /?#%&+},
     * spaces, Unicode) comes back as the same code.
     */
    static String query(String orderCode) {
        return java.net.URLEncoder.encode(orderCode, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Codes with the query that looks each up, for {@code <a href="/console/orders?code={{query}}">}. */
    private static List<Map<String, String>> orderLinks(List<String> codes) {
        return codes.stream().map(c -> Map.of("code", c, "query", query(c))).toList();
    }

    private static ResponseEntity<String> html(String body) {
        return ResponseEntity.ok()
                .contentType(HTML)
                .header("Cache-Control", "no-store")
                .body(body);
    }
}
