import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { IsString, Length } from 'class-validator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { type Principal } from '../common/request-context';
import { SingleLine } from '../common/single-line.validator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { AnnouncementRetractionService } from './announcement-retraction.service';

class RetractAnnouncementDto {
  @ApiProperty({ minLength: 1, maxLength: 500, description: 'Why, for the audit log (no student details).' })
  @IsString()
  @SingleLine()
  @Length(1, 500)
  reason!: string;
}

class RetractedDto {
  @ApiProperty({ enum: ['retracted'] }) status!: 'retracted';
}

@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin', 'school_admin')
@Controller('v1/admin/announcements')
export class AdminAnnouncementController {
  constructor(private readonly retraction: AnnouncementRetractionService) {}

  @Post(':announcementId/retract')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({
    type: RetractedDto,
    description: 'Recipients get 404 from now on; the fan-out is being stopped.',
  })
  @ApiUuidParam('announcementId', 'No such announcement in the district (or the school admin’s school).')
  @ApiError(409, 'ALREADY_RETRACTED.')
  retract(
    @CurrentPrincipal() principal: Principal,
    @Param('announcementId', UuidParamPipe) announcementId: string,
    @Body() body: RetractAnnouncementDto,
  ): Promise<RetractedDto> {
    return this.retraction.retract(principal, announcementId, body.reason);
  }
}
