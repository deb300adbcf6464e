import { Box } from 'ink';
import { memo } from 'react';
import { Banner } from './Banner.js';
import { DataLossBanner } from './DataLossBanner.js';
import { FilterForm } from './FilterForm.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import { Overview } from './Overview.js';
import { Schedules } from './Schedules.js';
import { StatusLine } from './StatusLine.js';
import { SubmitForm } from './SubmitForm.js';
import type { MainModel, ScreenModel } from './screen-model.js';
import { TaskDetail } from './TaskDetail.js';
import { Tasks } from './Tasks.js';
import { Workers } from './Workers.js';

export interface ScreenProps {
  readonly model: ScreenModel;
}

function Main({ main }: { readonly main: MainModel }) {
  switch (main.kind) {
    case 'overview':
      return <Overview {...main.props} />;
    case 'workers':
      return <Workers {...main.props} />;
    case 'tasks':
      return <Tasks {...main.props} />;
    case 'schedules':
      return <Schedules {...main.props} />;
    case 'detail':
      return <TaskDetail {...main.props} />;
    case 'filter':
      return (
        <Box flexDirection="column" height={main.height}>
          <FilterForm {...main.props} />
        </Box>
      );
    case 'submit':
      return <SubmitForm {...main.props} />;
    case 'help':
      return <Help {...main.props} />;
  }
}

/**
 * The whole frame: header, banner when Redis is lost, the view or form,
 * status line, footer. Memoised: the app hands it the same model object while
 * nothing on screen changed, and then it does not render.
 */
export const Screen = memo(function Screen({ model }: ScreenProps) {
  return (
    <Box flexDirection="column" width={model.width} height={model.height} overflow="hidden">
      <Header {...model.header} />
      {model.banner ? <Banner {...model.banner} /> : null}
      {model.dataLoss ? <DataLossBanner {...model.dataLoss} /> : null}
      <Box height={model.mainHeight} width={model.width} overflow="hidden">
        <Main main={model.main} />
      </Box>
      <StatusLine {...model.status} />
      <Footer {...model.footer} />
    </Box>
  );
});
