package shop.reconciler.console;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Serves the console on the management port. Actuator runs in a child context of its own there
 * (the application's own server has no connector), whose dispatcher maps only the child's beans;
 * this mapping finds {@link ConsoleController}, a bean of the application's context, in it. Its
 * pages read the database within {@link ConsoleReadBudget}. Component scanning finds it too (it is
 * a configuration class in the application's package): in a short command's context, which is no
 * web application, it makes no mapping (building one read Spring MVC's handler machinery and
 * inspected every bean for handlers, for nothing).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "reconciler.console", name = "enabled", havingValue = "true", matchIfMissing = true)
class ConsoleManagementContextConfiguration {

    @Bean
    RequestMappingHandlerMapping consoleHandlerMapping() {
        RequestMappingHandlerMapping mapping = new RequestMappingHandlerMapping() {
            @Override
            protected boolean isHandler(Class<?> beanType) {
                return ConsoleController.class.isAssignableFrom(beanType);
            }
        };
        mapping.setDetectHandlerMethodsInAncestorContexts(true);
        mapping.setOrder(Ordered.HIGHEST_PRECEDENCE);
        mapping.setInterceptors(new ConsoleReadBudget());
        return mapping;
    }
}
