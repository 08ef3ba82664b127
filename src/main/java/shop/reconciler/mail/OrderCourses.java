package shop.reconciler.mail;

import java.util.List;
import java.util.Locale;

/**
 * What an order's email says about its courses: the ones it lists (at most
 * {@code reconciler.mail.max-listed-courses}, in task order) and the counts of all of them.
 *
 * @param total every task of the order
 * @param completed of those, the completed ones
 * @param failed of those, the failed ones
 */
record OrderCourses(List<CourseResult> listed, int total, int completed, int failed) {

    static final OrderCourses NONE = new OrderCourses(List.of(), 0, 0, 0);

    /** Every course of an order, all of them listed. */
    static OrderCourses of(List<CourseResult> courses) {
        int completed = 0;
        int failed = 0;
        for (CourseResult course : courses) {
            completed += isCompleted(course.status()) ? 1 : 0;
            failed += isFailed(course.status()) ? 1 : 0;
        }
        return new OrderCourses(List.copyOf(courses), courses.size(), completed, failed);
    }

    static boolean isCompleted(String status) {
        return status != null && status.toLowerCase(Locale.ROOT).equals("completed");
    }

    static boolean isFailed(String status) {
        return status != null && status.toLowerCase(Locale.ROOT).equals("failed");
    }
}
