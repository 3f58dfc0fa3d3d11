import { configOrExit, runService } from '@switchboard/service-kit';
import { loadTweetConfig, SERVICE } from './sender-tweet.config';
import { createSenderTweetModule } from './sender-tweet.module';

const config = configOrExit(() => loadTweetConfig());

void runService({ service: SERVICE, module: createSenderTweetModule(config), healthPort: config.health.port });
