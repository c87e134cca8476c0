import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { SectionDto, SectionMembersDto, toSectionMembersDto } from './section.dto';
import { SectionService } from './section.service';

@ApiTags('sections')
@ApiAuthenticated()
@Controller('v1/sections')
export class SectionController {
  constructor(private readonly sections: SectionService) {}

  @Get()
  @ApiOkResponse({
    type: [SectionDto],
    description: "The caller's sections; guardians see their students' sections.",
  })
  list(@CurrentPrincipal() principal: Principal): Promise<SectionDto[]> {
    return this.sections.list(principal);
  }

  @Get(':sectionId/members')
  @ApiOkResponse({ type: SectionMembersDto })
  @ApiError(403, "Anyone but the section's current teachers.")
  @ApiUuidParam('sectionId', 'No such section in the caller’s district.')
  async members(
    @CurrentPrincipal() principal: Principal,
    @Param('sectionId', UuidParamPipe) sectionId: string,
  ): Promise<SectionMembersDto> {
    return toSectionMembersDto(await this.sections.members(principal, sectionId));
  }
}
