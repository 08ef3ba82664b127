package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.reconcile.OrderRules;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/** The course batches a chunk's SMTP connections share, read from a real MySQL-protocol server. */
class CourseQueryIntegrationTest {

    @Test
    void connectionsComposingFromTwoAdjacentBatchesReadEachOnce() {
        // given: three orders of 1,000 courses, so the first two fill one batch and the third the next
        DataSource shopDb = TestDatabase.server().createDatabase("course_query").dataSource();
        new ShopFixture(shopDb).createSchema();
        JdbcTemplate jdbc = new JdbcTemplate(shopDb);
        for (int order = 1; order <= 3; order++) {
            jdbc.update(
                    "INSERT INTO orders (id, order_code, order_status) VALUES (?, ?, 'completed')",
                    order,
                    "C-" + order);
            List<Object[]> courses = new ArrayList<>();
            for (int course = 1; course <= 1000; course++) {
                courses.add(new Object[] {order, "Course " + course, "https://c/" + course});
            }
            jdbc.batchUpdate(
                    "INSERT INTO download_tasks (order_id, course_title, course_url, status) VALUES (?, ?, ?, 'completed')",
                    courses);
        }
        AtomicInteger listedReads = new AtomicInteger();
        NamedParameterJdbcTemplate counting = new NamedParameterJdbcTemplate(shopDb) {
            @Override
            public void query(String sql, SqlParameterSource params, RowCallbackHandler rows) {
                if (sql.equals(CourseQuery.LISTED_SQL)) {
                    listedReads.incrementAndGet();
                }
                super.query(sql, params, rows);
            }
        };
        ReconcilerProperties properties = properties().build();
        CourseQuery query =
                new CourseQuery(counting, 1000, new OrderRules(properties, Dialect.detectOnFirstUse(shopDb)));
        CourseQuery.Batches batches = query.of(List.of(1L, 2L, 3L));

        // when: one connection composes order 2 while another composes order 3, twice each
        List<OrderCourses> got = List.of(batches.get(2), batches.get(3), batches.get(2), batches.get(3));

        // then: each batch read once, and each order with all its courses
        assertThat(listedReads).hasValue(2);
        assertThat(got).allSatisfy(courses -> assertThat(courses.listed()).hasSize(1000));
    }
}
