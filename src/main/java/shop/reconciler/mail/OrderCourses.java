package shop.reconciler.mail;

import java.util.List;
import shop.reconciler.reconcile.OrderRules;

/**
 * What an order's email says about its courses: the ones it lists (at most
 * {@code reconciler.mail.max-listed-courses}, in task order) and the counts of all of them.
 *
 * @param total every task of the order
 * @param completed of those, the delivered ones ({@link OrderRules#isDeliveredTask})
 * @param failed of those, the failed ones ({@link OrderRules#isFailedTask}); a task with another
 *     terminal status (one an operator added) is in neither count
 */
record OrderCourses(List<CourseResult> listed, int total, int completed, int failed) {

    static final OrderCourses NONE = new OrderCourses(List.of(), 0, 0, 0);

    /** Every course of an order, all of them listed. */
    static OrderCourses of(List<CourseResult> courses, OrderRules rules) {
        int completed = 0;
        int failed = 0;
        for (CourseResult course : courses) {
            completed += rules.isDeliveredTask(course.status()) ? 1 : 0;
            failed += rules.isFailedTask(course.status()) ? 1 : 0;
        }
        return new OrderCourses(List.copyOf(courses), courses.size(), completed, failed);
    }
}
