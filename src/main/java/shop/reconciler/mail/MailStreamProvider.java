package shop.reconciler.mail;

/**
 * Jakarta Mail looks up its {@code StreamProvider} each time a message is written or parsed (twice
 * per message sent), and without the system property {@value #PROPERTY} that lookup is a
 * {@link java.util.ServiceLoader} scan of every jar on the class path: about a third of the send
 * loop's CPU. Naming the provider Jakarta Mail would find anyway (Angus Mail's) makes it a plain
 * class lookup, for the job's JVM ({@link EmailComposer}).
 */
final class MailStreamProvider {

    static final String PROPERTY = "jakarta.mail.util.StreamProvider";

    static final String ANGUS = "org.eclipse.angus.mail.util.MailStreamProvider";

    private MailStreamProvider() {}

    /** Names Angus Mail's provider, only when the property is unset and Angus Mail is present. */
    static void preferAngus() {
        if (System.getProperty(PROPERTY) == null && angusPresent()) {
            System.setProperty(PROPERTY, ANGUS);
        }
    }

    private static boolean angusPresent() {
        try {
            Class.forName(ANGUS, false, MailStreamProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
