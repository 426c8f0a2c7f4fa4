import { schedulingJourney } from './scheduling-journey.ts'

schedulingJourney()
