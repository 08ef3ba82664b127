package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.ShopSchema;
import shop.reconciler.reconcile.OrderRules;

class CourseQueryTest {

    @Test
    void connectionsComposingFromTwoAdjacentBatchesReadEachOnce() {
        // given: three orders of 1,000 courses, so the first two fill one batch and the third the next
        DriverManagerDataSource h2 = new DriverManagerDataSource(
                "jdbc:h2:mem:course-query;MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1");
        JdbcTemplate jdbc = new JdbcTemplate(h2);
        ShopSchema.create(jdbc);
        for (int order = 1; order <= 3; order++) {
            jdbc.update(
                    "INSERT INTO orders (id, order_code, order_status) VALUES (?, ?, 'completed')",
                    order,
                    "C-" + order);
            jdbc.update("""
                    INSERT INTO download_tasks (order_id, course_title, course_url, status)
                    SELECT ?, CONCAT('Course ', x), CONCAT('https://c/', x), 'completed' FROM SYSTEM_RANGE(1, 1000)
                    """, order);
        }
        AtomicInteger listedReads = new AtomicInteger();
        NamedParameterJdbcTemplate counting = new NamedParameterJdbcTemplate(h2) {
            @Override
            public void query(String sql, SqlParameterSource params, RowCallbackHandler rows) {
                if (sql.equals(CourseQuery.LISTED_SQL)) {
                    listedReads.incrementAndGet();
                }
                super.query(sql, params, rows);
            }
        };
        ReconcilerProperties properties = properties().build();
        CourseQuery query = new CourseQuery(counting, 1000, new OrderRules(properties, Dialect.of(Dialect.Kind.H2)));
        CourseQuery.Batches batches = query.of(List.of(1L, 2L, 3L));

        // when: one connection composes order 2 while another composes order 3, twice each
        List<OrderCourses> got = List.of(batches.get(2), batches.get(3), batches.get(2), batches.get(3));

        // then: each batch read once, and each order with all its courses
        assertThat(listedReads).hasValue(2);
        assertThat(got).allSatisfy(courses -> assertThat(courses.listed()).hasSize(1000));
    }
}
