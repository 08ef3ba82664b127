package shop.reconciler.mail;

/** One download task of an order, as the email lists it. */
record CourseResult(long orderId, String title, String url, String status, String driveLink, String errorMessage) {}
