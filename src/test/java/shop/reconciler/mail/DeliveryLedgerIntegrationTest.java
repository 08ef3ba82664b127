package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.TableNames;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.NotificationStore.Settlement;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The connections' ledgers committing together on a real database: what several connections hand
 * over while a commit runs goes into the next one, and a claim gone among them is told to its own
 * connection only, the others' records standing.
 */
class DeliveryLedgerIntegrationTest {

    private static final String CLAIMANT = "ledger-test";

    private static TestDatabase.DatabaseRef database;
    private static ShopFixture shop;

    private NotificationStore store;
    private DataSource dataSource;

    @BeforeAll
    static void schema() {
        database = TestDatabase.server().createDatabase("ledger");
        shop = new ShopFixture(database.dataSource()).createSchema().migrateReconcilerTables();
    }

    @BeforeEach
    void fresh() {
        shop.clear();
        dataSource = database.dataSource();
        ReconcilerProperties properties = properties()
                .set("mail.message-id-domain", "order-reconciler.local")
                .build();
        store = new NotificationStore(new NamedParameterJdbcTemplate(dataSource), properties, TableNames.DEFAULT);
    }

    @Test
    void recordsHandedOverWhileACommitRunsGoTogetherAndAClaimGoneAmongThemHoldsBackOnlyItsMessage() throws Exception {
        // given: five claimed notifications; L-1 and L-2 delivered already on connections B and C
        List<Notification> rows = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            rows.add(queued("L-" + i));
        }
        store.claims(CLAIMANT, 1, 600).claim(rows.stream().map(Notification::id).toList());
        // another sender took L-5 over meanwhile
        shop.jdbc().update("UPDATE order_notifications SET claimed_by = 'someone else' WHERE order_code = 'L-5'");

        try (DeliveryLedger.Commits commits =
                        DeliveryLedger.open(dataSource, store, CLAIMANT, 1, Duration.ofMinutes(10));
                DeliveryLedger a = new DeliveryLedger(commits);
                DeliveryLedger b = new DeliveryLedger(commits);
                DeliveryLedger c = new DeliveryLedger(commits)) {
            b.settleLater(rows.get(0), new Settlement(NotificationStatus.SENT, null, 0));
            c.settleLater(rows.get(1), new Settlement(NotificationStatus.SENT, null, 0));
            DeliveryLedger.Ticket first;
            DeliveryLedger.Ticket second;
            DeliveryLedger.Ticket third;
            // when: A's charge waits for a lock another transaction holds on L-3, and meanwhile B
            // and C hand over theirs (B: L-1 sent, L-4 in flight; C: L-2 sent, L-5 in flight)
            try (Connection locker = dataSource.getConnection()) {
                locker.setAutoCommit(false);
                try (Statement lock = locker.createStatement()) {
                    lock.executeQuery("SELECT id FROM order_notifications WHERE order_code = 'L-3' FOR UPDATE");
                }
                first = a.chargeAhead(rows.get(2), true);
                Thread.sleep(300);
                second = b.chargeAhead(rows.get(3), true);
                third = c.chargeAhead(rows.get(4), true);
                Thread.sleep(100);
                locker.rollback();
            }

            // then: A's charge held; B's too, with L-1's result; C's did not (L-5 is not its own),
            // and L-2's result stands
            assertThat(first.held()).isTrue();
            assertThat(second.held()).isTrue();
            assertThat(third.held()).isFalse();
        }
        assertThat(shop.notification("L-1")).containsEntry("status", "sent").containsEntry("claimed_by", null);
        assertThat(shop.notification("L-2")).containsEntry("status", "sent").containsEntry("claimed_by", null);
        for (String code : List.of("L-3", "L-4")) {
            Map<String, Object> row = shop.notification(code);
            assertThat(row).describedAs(code).containsEntry("status", "queued").containsEntry("attempts", 1);
            assertThat(row.get("delivery_started_at")).describedAs(code).isNotNull();
        }
        Map<String, Object> takenOver = shop.notification("L-5");
        assertThat(takenOver).containsEntry("claimed_by", "someone else").containsEntry("attempts", 0);
        assertThat(takenOver.get("delivery_started_at")).isNull();
        assertThat(shop.notification("L-6")).containsEntry("attempts", 0);
    }

    private Notification queued(String code) {
        long orderId = shop.order(code, code.toLowerCase() + "@example.com", "completed");
        shop.jdbc()
                .update(
                        "INSERT INTO order_notifications (order_id, order_code, recipient, status, message_id)"
                                + " VALUES (?, ?, ?, 'queued', ?)",
                        orderId,
                        code,
                        code.toLowerCase() + "@example.com",
                        "<" + code + "@order-reconciler.local>");
        long id = shop.count("SELECT id FROM order_notifications WHERE order_code = ?", code);
        return new Notification(id, orderId, code, code.toLowerCase() + "@example.com", 0, "<" + code + ">");
    }
}
